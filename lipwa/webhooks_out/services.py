"""Merchant webhook endpoints: create, delete, rotate the signing secret, re-enable, replay.

Sending lives in `deliveries.py`. Row locks are taken endpoint first, then its deliveries, everywhere.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction

from lipwa.common import clock, crypto
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.merchants.models import Merchant
from lipwa.payments.selectors import event_get

from .deliveries import webhook_deliveries_stop, webhook_delivery_restart
from .event_types import event_type_matches
from .models import DeliveryStatus, EndpointStatus, WebhookDelivery, WebhookEndpoint
from .validation import check_enabled_events, check_endpoint_url, origin_of

log = logging.getLogger("lipwa.webhooks_out")

SECRET_PREFIX = "whsec_"
# How long a rotated-out secret keeps signing beside the new one, so receivers can switch without a gap.
ROTATION_OVERLAP_SECONDS = 24 * 3600
ROTATION_OVERLAP_MAX_SECONDS = 7 * 24 * 3600
# Each endpoint receives a copy of every matching event, so their number bounds the work one event makes.
ENDPOINTS_PER_MODE_MAX = 16
DESCRIPTION_MAX_LENGTH = 500
REPLAY_BATCH_MAX = 1000


def _new_secret() -> str:
    return SECRET_PREFIX + crypto.random_token(32)


def _own_origins(request_origin: str | None) -> list[tuple[str, int]]:
    """Where this lipwa service can be reached: its public URL and the address the API request came to."""
    candidates = [settings.LIPWA_PUBLIC_URL] + ([request_origin] if request_origin else [])
    return [origin for origin in (origin_of(c) for c in candidates) if origin is not None]


def webhook_endpoint_create(*, merchant: Merchant, mode: str, url: str, enabled_events: list[str],
                            description: str = "", request_origin: str | None = None
                            ) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret, which is stored encrypted and never shown
    again. `request_origin` (scheme://host:port of the API call) refuses URLs aiming at this service."""
    if mode not in ("test", "live"):
        raise InvalidRequest("mode must be 'test' or 'live'", param="mode")
    url = check_endpoint_url(url, _own_origins(request_origin))
    events = check_enabled_events(enabled_events)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidRequest(f"description must be at most {DESCRIPTION_MAX_LENGTH} characters",
                             param="description")
    secret = _new_secret()
    now = clock.now()
    with transaction.atomic():
        existing = WebhookEndpoint.objects.filter(merchant=merchant, mode=mode, deleted_at__isnull=True).count()
        if existing >= ENDPOINTS_PER_MODE_MAX:
            raise InvalidRequest(f"a merchant may have at most {ENDPOINTS_PER_MODE_MAX} webhook endpoints per "
                                 "mode; delete one first", param="url", code="webhook_endpoint_limit")
        endpoint = WebhookEndpoint(merchant=merchant, mode=mode, url=url, description=description,
                                   enabled_events=events, created_at=now, updated_at=now)
        endpoint.set_secrets([{"secret": secret, "expires_at": None}])
        endpoint.save(force_insert=True)
    log.info("webhook endpoint %s created for %s (%s)", endpoint.id, merchant.id, mode)
    return endpoint, secret


def _lock_endpoint(merchant: Merchant, mode: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = (WebhookEndpoint.objects.select_for_update()
                .filter(id=endpoint_id, merchant=merchant, mode=mode, deleted_at__isnull=True).first())
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}", param="id")
    return endpoint


def webhook_endpoint_delete(*, merchant: Merchant, mode: str, endpoint_id: str) -> WebhookEndpoint:
    """Stop sending to an endpoint for good. The row and its attempt log stay; the secret is destroyed."""
    with transaction.atomic():
        endpoint = _lock_endpoint(merchant, mode, endpoint_id)
        now = clock.now()
        endpoint.deleted_at = now
        endpoint.secrets_encrypted = ""
        endpoint.previous_secret_expires_at = None
        endpoint.updated_at = now
        endpoint.save(update_fields=["deleted_at", "secrets_encrypted", "previous_secret_expires_at", "updated_at"])
        webhook_deliveries_stop(endpoint, "not sent: endpoint deleted", now)
    log.info("webhook endpoint %s deleted", endpoint.id)
    return endpoint


def webhook_endpoint_rotate_secret(*, merchant: Merchant, mode: str, endpoint_id: str,
                                   overlap_seconds: int = ROTATION_OVERLAP_SECONDS) -> tuple[WebhookEndpoint, str]:
    """Issue a new signing secret; the current one keeps signing beside it for `overlap_seconds` (0 retires it
    at once, for a leaked secret). Returns the endpoint and the new secret, shown this once."""
    if isinstance(overlap_seconds, bool) or not isinstance(overlap_seconds, int) or not (
            0 <= overlap_seconds <= ROTATION_OVERLAP_MAX_SECONDS):
        raise InvalidRequest(f"overlap_seconds must be an integer from 0 to {ROTATION_OVERLAP_MAX_SECONDS}",
                             param="overlap_seconds")
    secret = _new_secret()
    with transaction.atomic():
        endpoint = _lock_endpoint(merchant, mode, endpoint_id)
        now = clock.now()
        expires_at = int(now.timestamp()) + overlap_seconds
        kept = []
        for entry in endpoint.get_secrets():
            entry_expiry = expires_at if entry["expires_at"] is None else min(entry["expires_at"], expires_at)
            if entry_expiry > now.timestamp():
                kept.append({"secret": entry["secret"], "expires_at": entry_expiry})
        endpoint.set_secrets([{"secret": secret, "expires_at": None}] + kept)
        endpoint.previous_secret_expires_at = (datetime.fromtimestamp(expires_at, tz=now.tzinfo) if kept else None)
        endpoint.updated_at = now
        endpoint.save(update_fields=["secrets_encrypted", "previous_secret_expires_at", "updated_at"])
    log.info("webhook endpoint %s secret rotated; the old one signs for %d s more", endpoint.id, overlap_seconds)
    return endpoint, secret


def webhook_endpoint_enable(*, merchant: Merchant, mode: str, endpoint_id: str) -> WebhookEndpoint:
    """Re-enable an endpoint lipwa disabled. Deliveries failed meanwhile are not resent: replay them."""
    with transaction.atomic():
        endpoint = _lock_endpoint(merchant, mode, endpoint_id)
        if endpoint.status == EndpointStatus.ENABLED:
            return endpoint
        endpoint.status = EndpointStatus.ENABLED
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
        endpoint.failing_since = None  # the auto-disable clock starts again from the next failure
        endpoint.updated_at = clock.now()
        endpoint.save(update_fields=["status", "disabled_reason", "disabled_at", "failing_since", "updated_at"])
    log.info("webhook endpoint %s re-enabled", endpoint.id)
    return endpoint


def webhook_endpoint_replay(*, merchant: Merchant, mode: str, endpoint_id: str, event_id: str | None = None,
                            since: datetime | None = None, status: str | None = None
                            ) -> tuple[list[WebhookDelivery], bool]:
    """Send again one event (`event_id`), or every failed delivery created at or after `since`.

    A replay restarts the delivery (a fresh 3-day retry window) instead of adding a second one, so a
    delivery that succeeds on replay no longer counts as failed. Returns (deliveries, has_more); a bulk
    replay handles at most REPLAY_BATCH_MAX deliveries, oldest first, per call.
    """
    if (event_id is None) == (since is None):
        raise InvalidRequest("give either event (one event) or since (failed deliveries since then)",
                             param="event" if event_id is None else "since")
    if event_id is not None and status is not None:
        raise InvalidRequest("status applies to a replay by since, not by event", param="status")
    if since is not None and (status or "failed") != "failed":
        raise InvalidRequest("only failed deliveries can be replayed in bulk: status must be 'failed'",
                             param="status")
    event = None
    if event_id is not None:
        try:
            event = event_get(merchant=merchant, mode=mode, event_id=event_id)
        except NotFound:
            raise NotFound(f"no event {event_id}", param="event") from None
    with transaction.atomic():
        endpoint = _lock_endpoint(merchant, mode, endpoint_id)
        if endpoint.status != EndpointStatus.ENABLED:
            raise Conflict(f"webhook endpoint {endpoint.id} is disabled; enable it before replaying",
                           code="webhook_endpoint_disabled")
        now = clock.now()
        if event is not None:
            return [_replay_event(endpoint, event, now)], False
        rows = list(WebhookDelivery.objects.select_for_update()
                    .filter(endpoint=endpoint, status=DeliveryStatus.FAILED, created_at__gte=since)
                    .order_by("created_at", "id")[: REPLAY_BATCH_MAX + 1])
        for delivery in rows[:REPLAY_BATCH_MAX]:
            webhook_delivery_restart(delivery, now)
    log.info("webhook endpoint %s: %d failed deliveries replayed", endpoint.id, min(len(rows), REPLAY_BATCH_MAX))
    return rows[:REPLAY_BATCH_MAX], len(rows) > REPLAY_BATCH_MAX


def _replay_event(endpoint: WebhookEndpoint, event, now: datetime) -> WebhookDelivery:
    if not event_type_matches(endpoint.enabled_events, event.type):
        raise InvalidRequest(f"webhook endpoint {endpoint.id} does not receive {event.type} events",
                             param="event", code="event_type_not_enabled")
    delivery = WebhookDelivery.objects.select_for_update().filter(endpoint=endpoint, event=event).first()
    if delivery is None:
        # An event from before the endpoint existed: it never had a delivery to this endpoint.
        delivery = WebhookDelivery(endpoint=endpoint, event=event, event_type=event.type, retry_started_at=now,
                                   created_at=now, updated_at=now)
    webhook_delivery_restart(delivery, now)
    return delivery


def webhook_delivery_replay(*, delivery_id: str) -> WebhookDelivery:
    """Operator replay of one delivery by id (the CLI); the endpoint must exist and be enabled."""
    with transaction.atomic():
        endpoint_id = WebhookDelivery.objects.filter(id=delivery_id).values_list("endpoint_id", flat=True).first()
        if endpoint_id is None:
            raise NotFound(f"no webhook delivery {delivery_id}", param="delivery")
        endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint_id)
        if endpoint.deleted_at is not None or endpoint.status != EndpointStatus.ENABLED:
            raise Conflict(f"webhook endpoint {endpoint.id} is deleted or disabled", code="webhook_endpoint_disabled")
        delivery = WebhookDelivery.objects.select_for_update().get(id=delivery_id)
        webhook_delivery_restart(delivery, clock.now())
    return delivery

