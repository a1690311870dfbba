"""Deliveries of events to merchant endpoints: queued with the event, sent by the worker, retried for 3 days.

Each delivery is sent by a task that carries the delivery's current `claim_token`; only the holder of that
token may send, so a task queued twice, a stale task and the periodic sweep never send one attempt twice.
Delivery is still at least once (a receiver may see an event again after a timeout, or on replay), so
receivers deduplicate by event id. Order across events is not guaranteed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from lipwa.common import clock, crypto
from lipwa.payments.models import PaymentEvent

from .event_types import event_type_matches
from .models import DeliveryStatus, EndpointStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .presenters import event_body
from .schedule import next_attempt_at
from .selectors import webhook_deliveries_due
from .sender import AttemptOutcome, post_event
from .signing import HEADER, signature_header

log = logging.getLogger("lipwa.webhooks_out")

DEFAULT_TIMEOUT_SECONDS = 10.0
# A claimed delivery is not handed to another task for this long; it only needs to outlast one attempt (the
# timeout) plus queueing, and bounds how late a delivery whose task was lost is picked up by the sweep.
CLAIM_SECONDS = 300
# An endpoint whose every attempt failed for this long is disabled, with the reason recorded on it.
AUTO_DISABLE_AFTER = timedelta(days=3)
LAST_ERROR_MAX_LENGTH = 300


def timeout_seconds() -> float:
    return float(getattr(settings, "LIPWA_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def _claim(delivery: WebhookDelivery, now: datetime) -> str:
    delivery.claim_token = crypto.random_token(16)
    delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
    return delivery.claim_token


def webhook_deliveries_queue(*, event: PaymentEvent) -> list[WebhookDelivery]:
    """Create (and enqueue) a delivery of `event` for each of its merchant's endpoints that wants it.

    Runs inside the transaction that records the event (payments.signals.event_recorded), so the state change,
    its event and its deliveries commit together or not at all. A disabled endpoint gets a failed delivery
    that is never sent, so that one bulk replay after re-enabling catches it up.
    """
    from .tasks import webhook_delivery_send_task

    mode = event.mode
    endpoints = WebhookEndpoint.objects.filter(merchant_id=event.merchant_id, mode=mode, deleted_at__isnull=True)
    now = clock.now()
    created = []
    for endpoint in endpoints:
        if not event_type_matches(endpoint.enabled_events, event.type):
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event=event, event_type=event.type,
                                   retry_started_at=event.created_at, created_at=now, updated_at=now)
        if endpoint.status == EndpointStatus.ENABLED:
            token = _claim(delivery, now)
            delivery.save(force_insert=True)
            webhook_delivery_send_task.enqueue(delivery.id, token)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "not sent: endpoint disabled"
            delivery.save(force_insert=True)
        created.append(delivery)
    return created


def webhook_delivery_restart(delivery: WebhookDelivery, now: datetime) -> None:
    """Send a delivery again now, with a fresh retry window (a replay); the caller holds the endpoint lock."""
    from .tasks import webhook_delivery_send_task

    delivery.status = DeliveryStatus.PENDING
    delivery.failed_attempts = 0
    delivery.retry_started_at = now
    delivery.succeeded_at = None
    delivery.updated_at = now
    token = _claim(delivery, now)
    delivery.save()
    webhook_delivery_send_task.enqueue(delivery.id, token)


def webhook_deliveries_enqueue_due(*, limit: int = 500) -> int:
    """The sweep: hand every delivery whose retry is due to a send task of its own (so one slow endpoint
    cannot hold up the others); also picks up deliveries whose task was lost."""
    from .tasks import webhook_delivery_send_task

    queued = 0
    for delivery_id in webhook_deliveries_due(limit=limit):
        now = clock.now()
        token = crypto.random_token(16)
        with transaction.atomic():
            claimed = WebhookDelivery.objects.filter(
                id=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
            ).update(claim_token=token, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), updated_at=now)
            if claimed:
                webhook_delivery_send_task.enqueue(delivery_id, token)
                queued += 1
    return queued


def webhook_delivery_send(*, delivery_id: str, claim_token: str) -> str:
    """Make one attempt at a claimed delivery; returns the delivery's status afterwards, or "skipped" when
    the token is no longer the delivery's (a duplicate or stale task)."""
    now = clock.now()
    running = crypto.random_token(16)
    # Swapping the token makes this task the only sender, and pushing next_attempt_at keeps the sweep away
    # while the request is in flight.
    if not WebhookDelivery.objects.filter(id=delivery_id, status=DeliveryStatus.PENDING,
                                          claim_token=claim_token).update(
            claim_token=running, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), updated_at=now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(id=delivery_id)
    endpoint = delivery.endpoint
    if endpoint.deleted_at is not None or endpoint.status != EndpointStatus.ENABLED:
        reason = "deleted" if endpoint.deleted_at is not None else "disabled"
        WebhookDelivery.objects.filter(id=delivery_id, claim_token=running).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, claim_token="",
            last_error=f"not sent: endpoint {reason}", updated_at=now)
        return DeliveryStatus.FAILED
    body = event_body(delivery.event)
    headers = {HEADER: signature_header(body, endpoint.active_secrets(now), int(now.timestamp())),
               "Lipwa-Delivery-Id": delivery.id}
    outcome = post_event(endpoint.url, body, headers, timeout_seconds=timeout_seconds())
    return _record_attempt(delivery_id=delivery_id, endpoint_id=endpoint.id, running=running, outcome=outcome,
                           attempted_at=now)


def _record_attempt(*, delivery_id: str, endpoint_id: str, running: str, outcome: AttemptOutcome,
                    attempted_at: datetime) -> str:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint_id)
        delivery = WebhookDelivery.objects.select_for_update().get(id=delivery_id)
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=attempted_at, succeeded=outcome.succeeded,
                                      status_code=outcome.status_code, error=outcome.error,
                                      latency_ms=outcome.latency_ms, response_excerpt=outcome.response_excerpt)
        delivery.attempts_count += 1
        delivery.last_attempt_at = attempted_at
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error or ("" if outcome.succeeded else f"HTTP {outcome.status_code}")
        delivery.updated_at = clock.now()
        if delivery.claim_token != running:
            # A replay restarted the delivery while this request was in flight (the replay's task sends next),
            # or the endpoint was deleted or disabled meanwhile; then a success is still the truth to record.
            if outcome.succeeded and delivery.status == DeliveryStatus.FAILED:
                delivery.status = DeliveryStatus.SUCCEEDED
                delivery.succeeded_at = attempted_at
            delivery.save()
            return delivery.status
        delivery.claim_token = ""
        if outcome.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.succeeded_at = attempted_at
            delivery.next_attempt_at = None
            endpoint.failing_since = None
            endpoint.last_succeeded_at = attempted_at
            endpoint.save(update_fields=["failing_since", "last_succeeded_at"])
        else:
            delivery.failed_attempts += 1
            delivery.next_attempt_at = next_attempt_at(retry_started_at=delivery.retry_started_at,
                                                       failed_attempts=delivery.failed_attempts, now=attempted_at)
            if delivery.next_attempt_at is None:
                delivery.status = DeliveryStatus.FAILED
                log.info("webhook delivery %s of %s to %s gave up after %d attempts", delivery.id,
                         delivery.event_id, endpoint.id, delivery.attempts_count)
        delivery.save()
        if not outcome.succeeded:
            _note_failure(endpoint, delivery, attempted_at)
    return delivery.status


def webhook_deliveries_stop(endpoint: WebhookEndpoint, reason: str, now: datetime) -> int:
    """Fail the endpoint's waiting deliveries (the caller holds the endpoint lock); replay can restart them."""
    return WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, claim_token="", last_error=reason, updated_at=now)


def _note_failure(endpoint: WebhookEndpoint, delivery: WebhookDelivery, attempted_at: datetime) -> None:
    """Start or continue the endpoint's run of failures, and disable it once the run lasts AUTO_DISABLE_AFTER.

    The run starts at the failing delivery's event (or replay), not at the first failed request, so that a
    delivery whose final retry at the end of its 3-day window fails does disable the endpoint; but never
    before the endpoint's last success, which proves it was not failing then.
    """
    if endpoint.failing_since is None:
        starts = [delivery.retry_started_at] + ([endpoint.last_succeeded_at] if endpoint.last_succeeded_at else [])
        endpoint.failing_since = max(starts)
        endpoint.save(update_fields=["failing_since"])
    if endpoint.status != EndpointStatus.ENABLED or attempted_at - endpoint.failing_since < AUTO_DISABLE_AFTER:
        return
    now = clock.now()
    reason = (f"every delivery attempt failed for {AUTO_DISABLE_AFTER.days} days (since "
              f"{endpoint.failing_since.isoformat(timespec='seconds')}); last error: {delivery.last_error}")
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:500]
    endpoint.updated_at = now
    endpoint.save(update_fields=["status", "disabled_at", "disabled_reason", "updated_at"])
    delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "next_attempt_at"])
    stopped = webhook_deliveries_stop(endpoint, "not sent: endpoint disabled", now)
    log.warning("webhook endpoint %s of merchant %s disabled: %s; %d waiting deliveries stopped (re-enable it, "
                "then replay failed deliveries)", endpoint.id, endpoint.merchant_id, reason, stopped)
