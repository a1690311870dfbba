"""Read-only queries over test clocks, and the next moment at which an attached object has work due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Min

from lipwa.common.errors import NotFound
from lipwa.invoicing.models import Invoice
from lipwa.invoicing.periodic import REMINDER_DAYS_BEFORE, UNPAID
from lipwa.merchants.models import Merchant
from lipwa.payments.models import PaymentAttempt, PaymentIntent
from lipwa.payments.selectors import OPEN_ATTEMPT_STATUSES
from lipwa.payments.states import PAYMENT_FINAL

from .models import TestClock, TestClockObject


def test_clock_get(*, merchant: Merchant, clock_id: str, param: str = "id") -> TestClock:
    test_clock = TestClock.objects.filter(id=clock_id, merchant=merchant).first()
    if test_clock is None:
        raise NotFound(f"no test clock {clock_id}", param=param, code="test_clock_not_found")
    return test_clock


def test_clocks_list(*, merchant: Merchant, limit: int = 10, starting_after: str | None = None):
    queryset = TestClock.objects.filter(merchant=merchant)
    if starting_after:
        queryset = queryset.filter(id__lt=starting_after)
    rows = list(queryset.order_by("-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def attached_ids(test_clock: TestClock, object_type: str) -> list[str]:
    return list(TestClockObject.objects.filter(clock=test_clock, object_type=object_type)
                .order_by("id").values_list("object_id", flat=True))


def attached_invoice_ids(test_clock: TestClock) -> list[str]:
    return list(Invoice.objects.filter(schedule_id__in=attached_ids(test_clock, "schedule"))
                .order_by("id").values_list("id", flat=True))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def next_work_at(test_clock: TestClock, *, current: datetime, until: datetime) -> datetime | None:
    """The earliest moment in (-inf, until] at which some attached object has time-driven work (clamped to
    `current`, since work already due runs at once), or None when nothing is due up to `until`."""
    payment_ids = attached_ids(test_clock, "payment")
    moments = [
        PaymentIntent.objects.filter(id__in=payment_ids).exclude(status__in=list(PAYMENT_FINAL))
        .aggregate(at=Min("expires_at"))["at"],
        PaymentAttempt.objects.filter(payment_id__in=payment_ids, status__in=OPEN_ATTEMPT_STATUSES,
                                      next_sync_at__isnull=False).aggregate(at=Min("next_sync_at"))["at"],
    ]
    invoices = Invoice.objects.filter(id__in=attached_invoice_ids(test_clock), status__in=UNPAID)
    for due_date, reminder_sent_at in invoices.values_list("due_date", "reminder_sent_at"):
        moments.append(_midnight(due_date + timedelta(days=1)))  # overdue from the day after the due date
        if reminder_sent_at is None and due_date >= current.date():
            moments.append(_midnight(due_date - timedelta(days=REMINDER_DAYS_BEFORE)))
    moments = [max(moment, current) for moment in moments if moment is not None]
    earliest = min(moments, default=None)
    return earliest if earliest is not None and earliest <= until else None
