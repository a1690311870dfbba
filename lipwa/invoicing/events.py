"""Invoice events, recorded in the payment event log (and so delivered by merchant webhooks) inside the
transaction of the status change they describe."""

from __future__ import annotations

from lipwa.payments.events import event_record_object

from .models import Invoice
from .presenters import invoice_to_dict

INVOICE_EVENT_TYPES = ("invoice.paid", "invoice.partially_paid", "invoice.overdue", "invoice.voided",
                       "invoice.reminder_due")


def invoice_event(invoice: Invoice, event_type: str) -> None:
    if event_type not in INVOICE_EVENT_TYPES:
        raise ValueError(f"not an invoice event type: {event_type}")
    event_record_object(merchant_id=invoice.merchant_id, mode=invoice.mode, event_type=event_type,
                        obj=invoice_to_dict(invoice))
