"""Builders for invoicing tests: drafts, issued invoices, and payments that succeed without a gateway."""

from __future__ import annotations

from datetime import timedelta

from lipwa.common import clock
from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.invoicing.services import invoice_create, invoice_issue
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.tests.factories import payment_with_attempt

LINES = [{"description": "Safari lodge, 2 nights", "quantity": 2, "unit_amount": 1_250_000, "tax_rate": 1600},
         {"description": "Park fees", "quantity": "1.5", "unit_amount": 333, "tax_rate": 0}]


def draft(merchant, *, lines=None, days: int = 14, currency: str = "KES"):
    return invoice_create(merchant=merchant, mode="test", currency=currency, lines=lines or LINES,
                          due_date=clock.now().date() + timedelta(days=days),
                          customer={"name": "Wanjiku", "phone": "+254712345678"})


def issued(merchant, **kwargs):
    invoice = draft(merchant, **kwargs)
    return invoice_issue(merchant=merchant, mode="test", invoice_id=invoice.id)


def pay(merchant, invoice, amount: int, *, receipt: str = "RCPT000001"):
    """A payment naming the invoice whose gateway reports success (as the pay link's would)."""
    payment, attempt = payment_with_attempt(merchant, amount_minor=amount)
    payment.metadata = {"invoice": invoice.id}
    payment.save(update_fields=["metadata"])
    attempt_apply_result(attempt_id=attempt.id, source="callback", result=ChargeResult(
        ResultStatus.SUCCEEDED, gateway_reference=f"ws_CO_{attempt.id}", receipt_number=receipt))
    invoice.refresh_from_db()
    return payment
