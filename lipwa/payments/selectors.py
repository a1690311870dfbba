"""Read-only queries over payments."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from lipwa.common import clock
from lipwa.common.errors import NotFound
from lipwa.merchants.models import Merchant

from .models import PaymentAttempt, PaymentEvent, PaymentIntent
from .states import PAYMENT_FINAL, AttemptStatus

OPEN_ATTEMPT_STATUSES = [AttemptStatus.PENDING, AttemptStatus.PROCESSING, AttemptStatus.REQUIRES_ACTION]


def payment_get(*, merchant: Merchant, mode: str, payment_id: str) -> PaymentIntent:
    payment = PaymentIntent.objects.filter(id=payment_id, merchant=merchant, mode=mode).first()
    if payment is None:
        raise NotFound(f"no payment {payment_id}", param="id")
    return payment


def payments_list(*, merchant: Merchant, mode: str, status: str | None = None, provider: str | None = None,
                  created_gte: datetime | None = None, created_lte: datetime | None = None,
                  starting_after: str | None = None, limit: int = 10) -> tuple[list[PaymentIntent], bool]:
    """Newest first; returns (page, has_more). Ids are time-sortable, so the cursor is the id itself."""
    queryset: QuerySet = PaymentIntent.objects.filter(merchant=merchant, mode=mode)
    if status:
        queryset = queryset.filter(status=status)
    if provider:
        queryset = queryset.filter(provider=provider)
    if created_gte:
        queryset = queryset.filter(created_at__gte=created_gte)
    if created_lte:
        queryset = queryset.filter(created_at__lte=created_lte)
    if starting_after:
        if not PaymentIntent.objects.filter(id=starting_after, merchant=merchant, mode=mode).exists():
            raise NotFound(f"starting_after names no payment of yours: {starting_after}", param="starting_after")
        queryset = queryset.filter(id__lt=starting_after)
    rows = list(queryset.order_by("-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def payment_events_list(*, payment: PaymentIntent) -> list[PaymentEvent]:
    return list(payment.events.order_by("id"))


def attempts_due_for_sync(*, limit: int = 100) -> list[str]:
    return list(PaymentAttempt.objects.filter(status__in=OPEN_ATTEMPT_STATUSES, next_sync_at__lte=clock.now())
                .order_by("next_sync_at").values_list("id", flat=True)[:limit])


def payments_due_for_expiry(*, limit: int = 100) -> list[str]:
    return list(PaymentIntent.objects.exclude(status__in=list(PAYMENT_FINAL)).filter(expires_at__lte=clock.now())
                .order_by("expires_at").values_list("id", flat=True)[:limit])


def open_attempts_of(*, payment_id: str) -> list[str]:
    return list(PaymentAttempt.objects.filter(payment_id=payment_id, status__in=OPEN_ATTEMPT_STATUSES)
                .order_by("created_at").values_list("id", flat=True))


def attempt_find_by_reference(*, connector_account_id: str, gateway_reference: str) -> str | None:
    return (PaymentAttempt.objects.filter(connector_account_id=connector_account_id,
                                          gateway_reference=gateway_reference)
            .values_list("id", flat=True).first())


def attempt_candidates_for_adoption(*, connector_account_id: str, amount_minor: int, currency: str,
                                    payer_digits: str | None) -> list[str]:
    """In-flight attempts that never learned their gateway reference (the initiate call timed out or has
    not returned yet) and that match a callback's amount and payer."""
    queryset = PaymentAttempt.objects.filter(
        connector_account_id=connector_account_id, gateway_reference__isnull=True,
        status__in=OPEN_ATTEMPT_STATUSES, amount_minor=amount_minor, currency=currency,
    ).exclude(payment__status__in=list(PAYMENT_FINAL))
    if payer_digits:
        queryset = queryset.filter(payment__phone_e164="+" + payer_digits)
    return list(queryset.values_list("id", flat=True)[:2])
