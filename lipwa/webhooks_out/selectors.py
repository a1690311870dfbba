"""Read-only queries over webhook endpoints and deliveries."""

from __future__ import annotations

from django.db.models import Prefetch

from lipwa.common import clock
from lipwa.common.errors import NotFound
from lipwa.merchants.models import Merchant

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

ATTEMPTS_SHOWN_MAX = 25


def webhook_endpoint_get(*, merchant: Merchant, mode: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(id=endpoint_id, merchant=merchant, mode=mode,
                                              deleted_at__isnull=True).first()
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}", param="id")
    return endpoint


def webhook_endpoints_list(*, merchant: Merchant, mode: str) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(merchant=merchant, mode=mode, deleted_at__isnull=True)
                .order_by("-id"))


def webhook_deliveries_list(*, endpoint: WebhookEndpoint, status: str | None = None, event_id: str | None = None,
                            starting_after: str | None = None, limit: int = 10
                            ) -> tuple[list[tuple[WebhookDelivery, list[WebhookAttempt]]], bool]:
    """Newest first, each with its latest attempts (newest first); returns (page, has_more)."""
    queryset = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status:
        queryset = queryset.filter(status=status)
    if event_id:
        queryset = queryset.filter(event_id=event_id)
    if starting_after:
        if not WebhookDelivery.objects.filter(endpoint=endpoint, id=starting_after).exists():
            raise NotFound(f"starting_after names no delivery of this endpoint: {starting_after}",
                           param="starting_after")
        queryset = queryset.filter(id__lt=starting_after)
    attempts = Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("-id"), to_attr="attempts_newest")
    rows = list(queryset.prefetch_related(attempts).order_by("-id")[: limit + 1])
    page = [(d, d.attempts_newest[:ATTEMPTS_SHOWN_MAX]) for d in rows[:limit]]
    return page, len(rows) > limit


def webhook_deliveries_due(*, limit: int = 500) -> list[tuple[str, str]]:
    """(delivery id, endpoint id) of the deliveries whose next attempt is due, oldest due first."""
    return list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.now())
                .order_by("next_attempt_at").values_list("id", "endpoint_id")[:limit])
