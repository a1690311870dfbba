"""Cash on delivery services: assign, collect, remit, cash up; with the ledger checked after each."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lipwa.cash.models import CashDiscrepancy
from lipwa.cash.selectors import rider_floats
from lipwa.cash.services import (
    cash_collection_record,
    cash_discrepancy_resolve,
    cash_payment_assign,
    cash_remittance_record,
    cash_up_run,
)
from lipwa.common import clock
from lipwa.ledger.models import LedgerAccount
from lipwa.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db


def collect(payment, rider, **overrides):
    values = {"payment_id": payment.id, "rider_id": rider.id, "receipt_number": "R-001",
              "amount_minor": payment.amount_minor, "by": "rider_app"}
    return cash_collection_record(**{**values, **overrides})


def test_cash_payment_awaits_collection_for_three_days(cash_payment):
    payment = cash_payment()
    assert payment.provider == "cash" and payment.status == "requires_action"
    assert payment.next_action["type"] == "cash_on_delivery" and payment.next_action["rider"] is None
    assert payment.next_action["reference"] == payment.gateway_reference
    assert payment.expires_at - payment.created_at == timedelta(days=3)


def test_sync_never_fails_it(cash_payment, merchant, rider):
    from lipwa.payments.services import attempt_sync

    payment = cash_payment()
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    attempt = payment.attempts.get()
    for _ in range(3):
        payment = attempt_sync(attempt_id=attempt.id)
    assert payment.status == "requires_action"
    assert payment.next_action["rider"] == rider.id  # the sync kept the rider in the instructions


def test_assign_names_the_rider_and_is_audited(cash_payment, rider):
    from lipwa.audit.services import audit_trail

    payment = cash_payment()
    assignment = cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    payment.refresh_from_db()
    assert assignment.rider_id == rider.id and payment.next_action["rider"] == rider.id
    assert [e.action for e in audit_trail(object_id=payment.id)] == ["cash.assign"]


def test_collection_succeeds_the_payment_and_raises_the_float(cash_payment, rider, merchant):
    payment = cash_payment()
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    collection = collect(payment, rider, receipt_number="RB-7781")
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.receipt_number == "RB-7781"
    assert list(payment.events.values_list("type", flat=True))[-1] == "payment.succeeded"
    assert rider_floats(rider) == {"KES": 150_000}
    clearing = LedgerAccount.objects.get(kind="gateway_clearing", reference=payment.connector_account_id)
    assert clearing.debits_posted == clearing.credits_posted == 150_000  # cleared into the rider's hands
    available = LedgerAccount.objects.get(kind="merchant_available", merchant=merchant)
    assert available.balance_minor == 150_000
    assert collection.customer_pin_verified is False
    assert ledger_verify() == []


def test_customer_pin_verified(cash_payment, rider):
    payment = cash_payment(metadata={"cash_pin": "4821"})
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    assert collect(payment, rider, customer_pin="4821").customer_pin_verified is True


def test_remittance_lowers_the_float(cash_payment, rider, merchant):
    payment = cash_payment()
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    collect(payment, rider)
    cash_remittance_record(rider_id=rider.id, amount_minor=100_000, currency="KES", reference="SLIP-1",
                           received_by="office", merchant=merchant, mode="test")
    assert rider_floats(rider) == {"KES": 50_000}
    settlement = LedgerAccount.objects.get(kind="settlement", merchant=merchant)
    assert settlement.debits_posted == 100_000
    assert ledger_verify() == []


def test_cash_up_opens_a_discrepancy_and_is_idempotent(cash_payment, rider, merchant, caplog):
    payment = cash_payment()
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    collect(payment, rider)
    cash_remittance_record(rider_id=rider.id, amount_minor=120_000, currency="KES", reference="SLIP-1",
                           received_by="office", merchant=merchant, mode="test")
    today = clock.now().date()
    with caplog.at_level(logging.WARNING, logger="lipwa.cash"):
        (cash_up,) = cash_up_run(rider_id=rider.id, day=today, by="supervisor", merchant=merchant, mode="test")
    assert (cash_up.collected_minor, cash_up.remitted_minor, cash_up.difference_minor) == (150_000, 120_000, 30_000)
    assert cash_up.status == "discrepancy"
    assert cash_up.discrepancy.amount_minor == 30_000 and cash_up.discrepancy.status == "open"
    assert "difference" in caplog.text
    again = cash_up_run(rider_id=rider.id, day=today, by="supervisor", merchant=merchant, mode="test")
    assert [c.id for c in again] == [cash_up.id] and CashDiscrepancy.objects.count() == 1
    resolved = cash_discrepancy_resolve(discrepancy_id=cash_up.discrepancy.id, note="rider paid the rest",
                                        by="supervisor", merchant=merchant, mode="test")
    assert resolved.status == "resolved"


def test_balanced_day_opens_no_discrepancy(cash_payment, rider, merchant):
    payment = cash_payment(amount=5000)
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    collect(payment, rider)
    cash_remittance_record(rider_id=rider.id, amount_minor=5000, currency="KES", reference="SLIP-2",
                           received_by="office", merchant=merchant, mode="test")
    (cash_up,) = cash_up_run(rider_id=rider.id, day=clock.now().date(), by="s", merchant=merchant, mode="test")
    assert cash_up.status == "balanced" and cash_up.difference_minor == 0
    assert CashDiscrepancy.objects.count() == 0


def test_cash_taken_after_expiry_is_recorded_for_review(cash_payment, rider):
    from lipwa.payments.services import payment_expire

    payment = cash_payment()
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    clock.advance(3 * 24 * 3600 + 1)
    payment_expire(payment_id=payment.id)
    collect(payment, rider)
    payment.refresh_from_db()
    assert payment.status == "expired" and payment.needs_review is True
    assert rider_floats(rider) == {"KES": 150_000}
    assert ledger_verify() == []
