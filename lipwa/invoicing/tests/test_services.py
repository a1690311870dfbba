"""Invoice lifecycle through the services: numbering, payments applied by the payment signal, void, overdue,
reminders, schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lipwa.common import clock
from lipwa.common.errors import Conflict
from lipwa.invoicing.models import Invoice, InvoicePayment
from lipwa.invoicing.periodic import invoices_mark_overdue, invoices_remind
from lipwa.invoicing.presenters import schedule_to_dict
from lipwa.invoicing.schedules import schedule_create
from lipwa.invoicing.services import invoice_issue, invoice_void
from lipwa.payments.models import PaymentEvent
from lipwa.payments.tests.factories import unreachable_mpesa_account

from .helpers import draft, issued, pay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def account(merchant):
    return unreachable_mpesa_account(merchant)


def test_draft_has_totals_and_no_number(merchant):
    invoice = draft(merchant)
    # 2 x 1,250,000 = 2,500,000, tax 16 % = 400,000; 1.5 x 333 = 499.5 -> 500 (half-even), no tax.
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (2_500_500, 400_000, 2_900_500)
    assert invoice.status == "draft" and invoice.number == ""


def test_issue_numbers_per_merchant_mode_and_year(merchant):
    clock.freeze(clock.now().replace(year=2026, month=12, day=31, hour=12))
    first, second = issued(merchant), issued(merchant)
    assert (first.number, second.number) == ("INV-2026-000001", "INV-2026-000002")
    clock.advance(24 * 3600)
    assert issued(merchant).number == "INV-2027-000001"
    with pytest.raises(Conflict) as exc:
        invoice_issue(merchant=merchant, mode="test", invoice_id=first.id)
    assert exc.value.code == "invoice_not_draft"


def test_partial_then_full_payment(merchant):
    invoice = issued(merchant, lines=[{"description": "Premium", "unit_amount": 10_000}])
    pay(merchant, invoice, 4_000)
    assert (invoice.status, invoice.amount_paid_minor, invoice.amount_due_minor) == ("partially_paid", 4_000, 6_000)
    pay(merchant, invoice, 6_000, receipt="RCPT000002")
    assert (invoice.status, invoice.amount_paid_minor, invoice.amount_due_minor) == ("paid", 10_000, 0)
    assert InvoicePayment.objects.filter(invoice=invoice).count() == 2


def test_payment_of_another_merchants_invoice_is_ignored(merchant):
    from lipwa.merchants.services import merchant_create

    other = merchant_create(name="Other")
    unreachable_mpesa_account(other)
    invoice = issued(other, lines=[{"description": "x", "unit_amount": 10_000}])
    pay(merchant, invoice, 10_000)
    assert invoice.amount_paid_minor == 0 and invoice.status == "open"


def test_void(merchant):
    invoice = issued(merchant)
    assert invoice_void(merchant=merchant, mode="test", invoice_id=invoice.id).status == "void"
    with pytest.raises(Conflict):
        invoice_void(merchant=merchant, mode="test", invoice_id=invoice.id)
    paid = issued(merchant, lines=[{"description": "x", "unit_amount": 10_000}])
    pay(merchant, paid, 5_000)
    with pytest.raises(Conflict) as exc:
        invoice_void(merchant=merchant, mode="test", invoice_id=paid.id)
    assert exc.value.code == "invoice_has_payments"


def test_overdue_by_advancing_the_clock(merchant):
    invoice = issued(merchant, days=2)
    untouched = draft(merchant, days=1)
    assert invoices_mark_overdue() == 0
    clock.advance(3 * 24 * 3600)
    assert invoices_mark_overdue() == 1
    invoice.refresh_from_db()
    untouched.refresh_from_db()
    assert invoice.status == "overdue" and untouched.status == "draft"
    pay(merchant, invoice, invoice.total_minor)
    assert invoice.status == "paid"


def test_reminder_recorded_once_before_the_due_date(merchant):
    invoice = issued(merchant, days=10)
    assert invoices_remind() == 0
    clock.advance(8 * 24 * 3600)
    assert invoices_remind() == 1
    assert invoices_remind() == 0
    event = PaymentEvent.objects.get(type="invoice.reminder_due")
    assert event.data["object"]["id"] == invoice.id


def test_schedule_deposit_then_balance(merchant):
    today = clock.now().date()
    schedule = schedule_create(
        merchant=merchant, mode="test", currency="KES", total=1_000_001, description="Safari booking",
        instalments=[{"due_date": today, "share": 5000}, {"due_date": today + timedelta(days=30), "share": 5000}])
    invoices = list(Invoice.objects.filter(schedule=schedule).order_by("instalment"))
    assert [i.total_minor for i in invoices] == [500_000, 500_001]
    assert all(i.status == "open" and i.number for i in invoices)
    pay(merchant, invoices[0], 500_000)
    shown = schedule_to_dict(schedule)
    assert (shown["amount_paid"], shown["amount_due"], shown["status"]) == (500_000, 500_001, "active")
