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


def attempts_due_for_sync(*, limit: int = 100, payment_ids: list[str] | None = None) -> list[str]:
    """`payment_ids` narrows the janitor to some payments (a test clock advancing its own objects)."""
    queryset = PaymentAttempt.objects.filter(status__in=OPEN_ATTEMPT_STATUSES, next_sync_at__lte=clock.now())
    if payment_ids is not None:
        queryset = queryset.filter(payment_id__in=payment_ids)
    return list(queryset.order_by("next_sync_at").values_list("id", flat=True)[:limit])


def payments_due_for_expiry(*, limit: int = 100, payment_ids: list[str] | None = None) -> list[str]:
    queryset = PaymentIntent.objects.exclude(status__in=list(PAYMENT_FINAL)).filter(expires_at__lte=clock.now())
    if payment_ids is not None:
        queryset = queryset.filter(id__in=payment_ids)
    return list(queryset.order_by("expires_at").values_list("id", flat=True)[:limit])


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


def refund_get(*, merchant: Merchant, mode: str, refund_id: str):
    from .models import Refund

    refund = Refund.objects.filter(id=refund_id, merchant=merchant, mode=mode).first()
    if refund is None:
        raise NotFound(f"no refund {refund_id}", param="id")
    return refund


def refunds_list(*, merchant: Merchant, mode: str, payment_id: str | None = None, limit: int = 10,
                 starting_after: str | None = None):
    from .models import Refund

    queryset = Refund.objects.filter(merchant=merchant, mode=mode)
    if payment_id:
        queryset = queryset.filter(payment_id=payment_id)
    if starting_after:
        queryset = queryset.filter(id__lt=starting_after)
    rows = list(queryset.order_by("-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def refunds_due_for_sync(*, limit: int = 100) -> list[str]:
    from .models import Refund

    return list(Refund.objects.filter(status="processing", next_sync_at__lte=clock.now())
                .order_by("next_sync_at").values_list("id", flat=True)[:limit])


def events_list(*, merchant: Merchant, mode: str, event_type: str | None = None, event_type_prefix: str | None = None,
                created_gte: datetime | None = None, created_lte: datetime | None = None,
                starting_after: str | None = None, limit: int = 10,
                oldest_first: bool = False) -> tuple[list[PaymentEvent], bool]:
    """Newest first (or `oldest_first`, where `starting_after` means newer than it); returns (page, has_more).
    An event belongs to its payment's mode."""
    queryset: QuerySet = PaymentEvent.objects.filter(merchant=merchant, mode=mode)
    if event_type:
        queryset = queryset.filter(type=event_type)
    if event_type_prefix:
        queryset = queryset.filter(type__startswith=event_type_prefix)
    if created_gte:
        queryset = queryset.filter(created_at__gte=created_gte)
    if created_lte:
        queryset = queryset.filter(created_at__lte=created_lte)
    if starting_after:
        if not PaymentEvent.objects.filter(id=starting_after, merchant=merchant, mode=mode).exists():
            raise NotFound(f"starting_after names no event of yours: {starting_after}", param="starting_after")
        queryset = queryset.filter(id__gt=starting_after) if oldest_first else queryset.filter(id__lt=starting_after)
    rows = list(queryset.select_related("payment").order_by("id" if oldest_first else "-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def event_get(*, merchant: Merchant, mode: str, event_id: str) -> PaymentEvent:
    event = (PaymentEvent.objects.select_related("payment")
             .filter(id=event_id, merchant=merchant, mode=mode).first())
    if event is None:
        raise NotFound(f"no event {event_id}", param="id")
    return event


def providers_list(*, merchant: Merchant, mode: str, country: str | None = None) -> list[dict]:
    """Every connector lipwa runs, what it takes, whether this merchant has an account for it, and, for
    aggregators that publish one, their per-network catalogue (limits and fees)."""
    from lipwa.connectors.registry import connector_class, connector_ids
    from lipwa.merchants.models import ConnectorAccount

    configured = set(ConnectorAccount.objects.filter(merchant=merchant, mode=mode, is_active=True)
                     .values_list("connector", flat=True))
    rows = []
    for connector_id in connector_ids():
        cls = connector_class(connector_id)
        if country and country not in cls.countries:
            continue
        catalogue = getattr(cls, "provider_catalogue", None)
        rows.append({"id": cls.id, "object": "provider", "name": cls.display_name,
                     "methods": sorted(cls.methods), "currencies": sorted(cls.currencies),
                     "countries": sorted(cls.countries), "networks": sorted(cls.networks),
                     "configured": cls.id in configured,
                     "catalogue": catalogue(country) if callable(catalogue) else []})
    return rows
