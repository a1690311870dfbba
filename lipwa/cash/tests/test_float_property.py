"""For any sequence of collections and remittances over several days: collected − remitted is the rider's
cash-in-transit balance, and the daily cash-up differences add up to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.cash.services import (
    cash_collection_record,
    cash_payment_assign,
    cash_remittance_record,
    cash_up_run,
    rider_create,
)
from lipwa.common import clock
from lipwa.common.errors import LipwaError
from lipwa.ledger.selectors import ledger_verify

STEP = st.one_of(
    st.tuples(st.just("collect"), st.integers(min_value=1, max_value=500_000)),
    st.tuples(st.just("remit"), st.integers(min_value=1, max_value=500_000)),
    st.tuples(st.just("next_day"), st.just(0)),
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, max_size=12))
def test_float_equals_collected_minus_remitted(merchant, cash_account, steps):
    from lipwa.cash.selectors import rider_floats
    from lipwa.payments.services import payment_create

    clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    rider = rider_create(merchant=merchant, mode="test", name="Property rider", by="tests")  # fresh per example
    collected = remitted = 0
    days = {clock.now().date()}
    for number, (kind, amount) in enumerate(steps):
        if kind == "next_day":
            clock.advance(24 * 3600)
            days.add(clock.now().date())
        elif kind == "collect":
            payment = payment_create(merchant=merchant, mode="test", amount=amount, currency="KES", method="cash")
            cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="tests")
            cash_collection_record(payment_id=payment.id, rider_id=rider.id, receipt_number=f"R{number}",
                                   amount_minor=amount, by="tests")
            collected += amount
        else:
            try:
                cash_remittance_record(rider_id=rider.id, amount_minor=amount, currency="KES",
                                       reference=f"S{number}", received_by="tests", merchant=merchant, mode="test")
                remitted += amount
            except LipwaError as exc:
                assert exc.code == "remittance_exceeds_float" and amount > collected - remitted
        assert rider_floats(rider).get("KES", 0) == collected - remitted
    cash_ups = [c for day in sorted(days)
                for c in cash_up_run(rider_id=rider.id, day=day, by="tests", merchant=merchant, mode="test")]
    assert sum(c.difference_minor for c in cash_ups) == collected - remitted
    assert all((c.status == "balanced") == (c.difference_minor == 0) for c in cash_ups)
    assert ledger_verify() == []
    clock.reset()
