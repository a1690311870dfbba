"""Due-date work the scheduler runs: overdue marking and reminders before due dates."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from lipwa.common import clock

from .events import invoice_event
from .models import Invoice

REMINDER_DAYS_BEFORE = 3
UNPAID = ("open", "partially_paid")


OVERDUE_BATCH = 500


def invoices_mark_overdue(invoice_ids: list[str] | None = None) -> int:
    """Open and partly paid invoices whose due date (a UTC calendar day) has passed become overdue, each with
    its `invoice.overdue` event in the same transaction. Rows are locked and re-checked in batches, so an
    invoice paid meanwhile is left paid and a long backlog does not hold one huge transaction. `invoice_ids`
    narrows it to some invoices (a test clock advancing its own schedules)."""
    marked = 0
    while True:
        with transaction.atomic():
            now = clock.now()
            queryset = Invoice.objects.select_for_update().filter(status__in=UNPAID, due_date__lt=now.date())
            if invoice_ids is not None:
                queryset = queryset.filter(id__in=invoice_ids)
            batch = list(queryset.order_by("id")[:OVERDUE_BATCH])
            for invoice in batch:
                invoice.status, invoice.updated_at = "overdue", now
                invoice.save(update_fields=["status", "updated_at"])
                invoice_event(invoice, "invoice.overdue")
        marked += len(batch)
        if len(batch) < OVERDUE_BATCH:
            return marked


def invoices_remind(invoice_ids: list[str] | None = None) -> int:
    """Record one `invoice.reminder_due` event (merchant webhooks deliver it) per unpaid invoice due within
    REMINDER_DAYS_BEFORE days; the merchant decides how to remind the customer."""
    today = clock.now().date()
    due = Invoice.objects.filter(status__in=UNPAID, reminder_sent_at__isnull=True, due_date__gte=today,
                                 due_date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE))
    if invoice_ids is not None:
        due = due.filter(id__in=invoice_ids)
    sent = 0
    for invoice_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(id=invoice_id)
            if invoice.reminder_sent_at is not None or invoice.status not in UNPAID:
                continue
            invoice.reminder_sent_at = clock.now()
            invoice.save(update_fields=["reminder_sent_at"])
            invoice_event(invoice, "invoice.reminder_due")
            sent += 1
    return sent
