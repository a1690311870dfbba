"""Invoice events recorded with their status changes, and refunds of invoice payments lowering amount_paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common import clock
from lipwa.invoicing.events import INVOICE_EVENT_TYPES
from lipwa.invoicing.models import InvoiceRefund
from lipwa.invoicing.periodic import invoices_mark_overdue
from lipwa.invoicing.services import invoice_void
from lipwa.payments.models import PaymentEvent
from lipwa.payments.refunds import refund_create, refund_record_manual
from lipwa.payments.tests.factories import unreachable_mpesa_account
from lipwa.webhooks_out.event_types import EVENT_TYPES

from .helpers import issued, pay

pytestmark = pytest.mark.django_db
ONE_LINE = [{"description": "Premium", "unit_amount": 10_000}]


@pytest.fixture(autouse=True)
def account(merchant):
    return unreachable_mpesa_account(merchant)


def invoice_events(invoice) -> list[str]:
    return [e.type for e in PaymentEvent.objects.filter(type__startswith="invoice.").order_by("id")
            if e.data["object"]["id"] == invoice.id]


def refund(merchant, payment, amount: int):
    """A refund the operator made by hand (M-Pesa reversals are manual), recorded as succeeded."""
    created = refund_create(merchant=merchant, mode="test", payment_id=payment.id, amount=amount,
                            requested_by="ops")
    assert created.method == "manual", created.method
    return refund_record_manual(refund_id=created.id, operator="ops", evidence={"reference": f"REV{created.id}"})


def test_every_invoice_event_type_can_be_subscribed_to():
    assert set(INVOICE_EVENT_TYPES) <= EVENT_TYPES


def test_paid_partially_paid_and_voided_events(merchant):
    first = issued(merchant, lines=ONE_LINE)
    pay(merchant, first, 4_000)
    pay(merchant, first, 6_000, receipt="RCPT000002")
    assert invoice_events(first) == ["invoice.partially_paid", "invoice.paid"]
    event = PaymentEvent.objects.get(type="invoice.paid")
    assert (event.data["object"]["status"], event.data["object"]["amount_paid"]) == ("paid", 10_000)
    second = issued(merchant, lines=ONE_LINE)
    invoice_void(merchant=merchant, mode="test", invoice_id=second.id)
    assert invoice_events(second) == ["invoice.voided"]


def test_overdue_events_once_per_invoice(merchant):
    late = issued(merchant, lines=ONE_LINE, days=1)
    paid = issued(merchant, lines=ONE_LINE, days=1)
    pay(merchant, paid, 10_000)
    clock.advance(3 * 24 * 3600)
    assert invoices_mark_overdue() == 1
    assert invoices_mark_overdue() == 0
    assert invoice_events(late) == ["invoice.overdue"] and invoice_events(paid) == ["invoice.paid"]


def test_refunds_lower_amount_paid_and_reopen(merchant):
    invoice = issued(merchant, lines=ONE_LINE)
    payment = pay(merchant, invoice, 10_000)
    assert invoice.status == "paid"
    first = refund(merchant, payment, 2_500)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid_minor, invoice.amount_due_minor, invoice.paid_at) == (
        "partially_paid", 7_500, 2_500, None)
    refund(merchant, payment, 7_500)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid_minor) == ("open", 0)
    assert InvoiceRefund.objects.filter(invoice=invoice).count() == 2
    assert invoice_events(invoice) == ["invoice.paid", "invoice.partially_paid"]
    # The event of a refund already applied changes nothing (the receiver is idempotent).
    from lipwa.invoicing.services import invoice_apply_payment_event

    invoice_apply_payment_event(event=PaymentEvent.objects.get(type="refund.succeeded",
                                                               data__object__id=first.id))
    invoice.refresh_from_db()
    assert invoice.amount_paid_minor == 0
    # Fully refunded: nothing stands in the way of voiding it now.
    assert invoice_void(merchant=merchant, mode="test", invoice_id=invoice.id).status == "void"


def test_a_refund_of_a_payment_for_no_invoice_changes_no_invoice(merchant):
    from lipwa.payments.tests.factories import succeeded_payment

    invoice = issued(merchant, lines=ONE_LINE)
    pay(merchant, invoice, 10_000)
    refund(merchant, succeeded_payment(merchant, amount_minor=3_000), 3_000)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid_minor) == ("paid", 10_000)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["pay", "refund"]), st.integers(1, 60).map(lambda n: n * 100)),
                      min_size=1, max_size=6))
def test_amount_paid_is_payments_less_refunds(merchant, steps):
    invoice = issued(merchant, lines=[{"description": "Plan", "unit_amount": 12_000}],
                     days=30)
    payments, paid, refunded = [], 0, 0
    for number, (kind, amount) in enumerate(steps):
        if kind == "pay":
            payments.append(pay(merchant, invoice, amount, receipt=f"RCPT{number:06d}"))
            paid += amount
            continue
        refundable = [(p, p.amount_minor - p.amount_refunded_minor) for p in payments]
        payment, left = max(refundable, key=lambda pair: pair[1], default=(None, 0))
        if left:
            refund(merchant, payment, min(amount, left))
            refunded += min(amount, left)
            payment.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.amount_paid_minor == paid - refunded
    expected = "paid" if paid - refunded >= 12_000 else "partially_paid" if paid - refunded else "open"
    if invoice.status != "paid" or expected == "paid":
        assert invoice.status == expected
    clock.advance(timedelta(seconds=1).total_seconds())
