"""Many-to-one: a settlement line is matched to the payments whose net amounts add up to it; and the
reference rule reads the id lipwa gave the gateway when the statement shows it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lipwa.reconciliation.matching import (
    RULE_REFERENCE,
    RULE_SETTLEMENT_RUN,
    RULE_SETTLEMENT_SUBSET,
    LineView,
    PaymentView,
    match_lines,
    match_settlement,
    payment_net_minor,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def paid(id_: str, amount: int, fee: int = 0, minutes: int = 0, currency: str = "NGN") -> PaymentView:
    at = T0 + timedelta(minutes=minutes)
    return PaymentView(id=id_, amount_minor=amount, currency=currency, created_at=at, fee_minor=fee, succeeded_at=at)


def settlement(amount: int, *, day: datetime = T0 + timedelta(days=1), currency: str = "NGN") -> LineView:
    return LineView(id=1, reference="8819034", amount_minor=amount, currency=currency, direction="credit",
                    booked_at=day, date_only=True, kind="settlement")


def test_external_reference_matches_the_gateway_reference():
    line = LineView(id=7, reference="4263017745", external_reference="lipwa-att-01ABC", amount_minor=100,
                    currency="NGN", direction="credit", booked_at=T0)
    [result] = match_lines([line], [PaymentView(id="pay_1", amount_minor=100, currency="NGN", created_at=T0,
                                                gateway_reference="LIPWA-ATT-01abc")])
    assert (result.rule, result.payment_id, result.confidence_percent) == (RULE_REFERENCE, "pay_1", 100)


def test_settlement_lines_are_never_matched_one_to_one():
    assert match_lines([settlement(100)], [paid("a", 100)]) == []


def test_a_days_run_of_payments_net_of_fees():
    payments = [paid("a", 2_500_000, 47_500, 0), paid("b", 12_000_000, 190_000, 60), paid("c", 500, 0, 120)]
    result = match_settlement(settlement(14_262_500), payments)
    assert (result.payment_ids, result.rule, result.confidence_percent) == (("a", "b"), RULE_SETTLEMENT_RUN, 90)


def test_a_subset_when_no_run_adds_up_and_none_when_nothing_does():
    payments = [paid("a", 1_000, 0, 0), paid("b", 7_000, 0, 1), paid("c", 300, 0, 2), paid("d", 20, 0, 3)]
    result = match_settlement(settlement(1_020), payments)
    assert (set(result.payment_ids), result.rule) == ({"a", "d"}, RULE_SETTLEMENT_SUBSET)
    assert match_settlement(settlement(999), payments) is None
    # Other currencies, payments made after the settlement and debits never count.
    assert match_settlement(settlement(1_000, currency="GHS"), payments) is None
    assert match_settlement(settlement(1_000, day=T0 - timedelta(days=2)), payments) is None
    debit = LineView(id=2, reference="x", amount_minor=1_000, currency="NGN", direction="debit", booked_at=T0,
                     kind="settlement")
    assert match_settlement(debit, payments) is None


amounts = st.integers(min_value=100, max_value=10**9)


@settings(max_examples=80, deadline=None)
@given(specs=st.lists(st.tuples(amounts, st.integers(0, 99)), min_size=1, max_size=40),
       data=st.data())
def test_any_consecutive_run_is_found(specs, data):
    payments = [paid(f"p{i:03d}", amount, amount * percent // 1000, minutes=i) for i, (amount, percent)
                in enumerate(specs)]
    start = data.draw(st.integers(0, len(payments) - 1))
    end = data.draw(st.integers(start + 1, len(payments)))
    target = sum(payment_net_minor(p) for p in payments[start:end])
    shuffled = payments[:]
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(shuffled)
    result = match_settlement(settlement(target, day=T0 + timedelta(days=2)), shuffled)
    assert result is not None and result.rule == RULE_SETTLEMENT_RUN
    found = [p for p in payments if p.id in result.payment_ids]
    assert len(found) == len(result.payment_ids) == len(set(result.payment_ids))
    assert sum(payment_net_minor(p) for p in found) == target


@settings(max_examples=80, deadline=None)
@given(specs=st.lists(st.tuples(amounts, st.integers(0, 99)), min_size=1, max_size=20), data=st.data())
def test_any_subset_of_recent_payments_is_found(specs, data):
    payments = [paid(f"p{i:03d}", amount, amount * percent // 1000, minutes=i) for i, (amount, percent)
                in enumerate(specs)]
    chosen = data.draw(st.lists(st.sampled_from(payments), min_size=1, unique_by=lambda p: p.id))
    target = sum(payment_net_minor(p) for p in chosen)
    result = match_settlement(settlement(target, day=T0 + timedelta(days=2)), payments)
    assert result is not None
    ids = set(result.payment_ids)
    assert len(ids) == len(result.payment_ids) and ids <= {p.id for p in payments}
    assert sum(payment_net_minor(p) for p in payments if p.id in ids) == target
