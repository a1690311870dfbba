"""Due-date work the scheduler runs: overdue marking and reminders before due dates."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from lipwa.common import clock
from lipwa.payments.events import event_record_object

from .models import Invoice
from .presenters import invoice_to_dict

REMINDER_DAYS_BEFORE = 3
UNPAID = ("open", "partially_paid")


def invoices_mark_overdue() -> int:
    """Open and partly paid invoices whose due date (a UTC calendar day) has passed become overdue. One UPDATE:
    its WHERE is re-checked under the row lock, so an invoice paid meanwhile is left paid."""
    now = clock.now()
    return Invoice.objects.filter(status__in=UNPAID, due_date__lt=now.date()).update(status="overdue",
                                                                                      updated_at=now)


def invoices_remind() -> int:
    """Record one `invoice.reminder_due` event (merchant webhooks deliver it) per unpaid invoice due within
    REMINDER_DAYS_BEFORE days; the merchant decides how to remind the customer."""
    today = clock.now().date()
    due = Invoice.objects.filter(status__in=UNPAID, reminder_sent_at__isnull=True, due_date__gte=today,
                                 due_date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE))
    sent = 0
    for invoice_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(id=invoice_id)
            if invoice.reminder_sent_at is not None or invoice.status not in UNPAID:
                continue
            invoice.reminder_sent_at = clock.now()
            invoice.save(update_fields=["reminder_sent_at"])
            event_record_object(merchant_id=invoice.merchant_id, mode=invoice.mode, event_type="invoice.reminder_due",
                                obj=invoice_to_dict(invoice))
            sent += 1
    return sent
