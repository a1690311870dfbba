"""Read-only queries for invoices and schedules, always scoped to one merchant and mode."""

from __future__ import annotations

from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.merchants.models import Merchant

from .models import INVOICE_STATUSES, Invoice, Schedule


def invoice_get(*, merchant: Merchant, mode: str, invoice_id: str) -> Invoice:
    invoice = Invoice.objects.filter(id=invoice_id, merchant=merchant, mode=mode).first()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", param="id")
    return invoice


def invoices_list(*, merchant: Merchant, mode: str, status: str | None = None, limit: int = 10,
                  starting_after: str | None = None) -> tuple[list[Invoice], bool]:
    if status and status not in INVOICE_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(INVOICE_STATUSES)}", param="status")
    query = Invoice.objects.filter(merchant=merchant, mode=mode).prefetch_related("lines").order_by("-id")
    if status:
        query = query.filter(status=status)
    if starting_after:
        query = query.filter(id__lt=starting_after)
    page = list(query[:limit + 1])
    return page[:limit], len(page) > limit


def schedule_get(*, merchant: Merchant, mode: str, schedule_id: str) -> Schedule:
    schedule = Schedule.objects.filter(id=schedule_id, merchant=merchant, mode=mode).first()
    if schedule is None:
        raise NotFound(f"no schedule {schedule_id}", param="id")
    return schedule
