"""Deliveries of events to merchant endpoints: queued with the event, sent by the worker, retried for 3 days.

Deliveries are sent in batches. Each send task carries a `claim_token` shared by the deliveries of its batch
(those one transaction created for one endpoint, or one chunk of the periodic sweep); only the holder of that
token may send them, so a task queued twice, a stale task and the sweep never send one attempt twice. A task
sends its batch concurrently over one process-wide pool of keep-alive connections, then records the
successes together and each failure on its own (backoff, auto-disable). Delivery is still at least once (a
receiver may see an event again after a timeout, or on replay), so receivers deduplicate by event id. Order
across events is not guaranteed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from lipwa.common import clock, crypto
from lipwa.payments.models import PaymentEvent

from .batches import SEND_BATCH_MAX, batch_token
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
# Requests in flight at once per worker process. A batch is one endpoint's, so this also bounds the
# concurrent requests one worker makes to one receiver.
SEND_CONCURRENCY = 16


def timeout_seconds() -> float:
    return float(getattr(settings, "LIPWA_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def webhook_deliveries_queue(*, event: PaymentEvent) -> list[WebhookDelivery]:
    """Create (and enqueue) a delivery of `event` for each of its merchant's endpoints that wants it.

    Runs inside the transaction that records the event (payments.signals.event_recorded), so the state change,
    its event and its deliveries commit together or not at all. A disabled endpoint gets a failed delivery
    that is never sent, so that one bulk replay after re-enabling catches it up.
    """
    from .tasks import webhook_delivery_send_task

    mode = event.mode
    if not _has_endpoints(event.merchant_id, mode):
        return []
    endpoints = WebhookEndpoint.objects.filter(merchant_id=event.merchant_id, mode=mode, deleted_at__isnull=True)
    now = clock.now()
    created = []
    for endpoint in endpoints:
        if not event_type_matches(endpoint.enabled_events, event.type):
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event=event, event_type=event.type,
                                   retry_started_at=event.created_at, created_at=now, updated_at=now)
        if endpoint.status == EndpointStatus.ENABLED:
            token, first_of_batch = batch_token(endpoint.id)
            delivery.claim_token = token
            delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
            delivery.save(force_insert=True)
            if first_of_batch:
                webhook_delivery_send_task.enqueue(delivery.id, token)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "not sent: endpoint disabled"
            delivery.save(force_insert=True)
        created.append(delivery)
    return created


def _has_endpoints(merchant_id: str, mode: str) -> bool:
    """Every event asks this, and most merchants have no endpoint in most modes: one fixed statement, without
    building an ORM query (about a tenth of an embedded payment's CPU went to that query)."""
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE merchant_id = %s AND mode = %s AND deleted_at IS NULL LIMIT 1",
                       [merchant_id, mode])
        return cursor.fetchone() is not None


def webhook_delivery_restart(delivery: WebhookDelivery, now: datetime) -> None:
    """Send a delivery again now, with a fresh retry window (a replay); the caller holds the endpoint lock."""
    from .tasks import webhook_delivery_send_task

    delivery.status = DeliveryStatus.PENDING
    delivery.failed_attempts = 0
    delivery.retry_started_at = now
    delivery.succeeded_at = None
    delivery.updated_at = now
    # Deliveries restarted together (a bulk replay) share batches like newly queued ones.
    token, first_of_batch = batch_token(delivery.endpoint_id)
    delivery.claim_token = token
    delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
    delivery.save()
    if first_of_batch:
        webhook_delivery_send_task.enqueue(delivery.id, token)


def webhook_deliveries_enqueue_due(*, limit: int = 500) -> int:
    """The sweep: claim every delivery whose retry is due, in batches of one endpoint's deliveries (so one
    slow endpoint cannot hold up the others), and queue a send task per batch; also picks up deliveries whose
    task was lost. Returns how many deliveries were queued."""
    from .tasks import webhook_delivery_send_task

    by_endpoint: dict[str, list[str]] = {}
    for delivery_id, endpoint_id in webhook_deliveries_due(limit=limit):
        by_endpoint.setdefault(endpoint_id, []).append(delivery_id)
    queued = 0
    for ids in by_endpoint.values():
        for start in range(0, len(ids), SEND_BATCH_MAX):
            chunk = ids[start:start + SEND_BATCH_MAX]
            now = clock.now()
            token = crypto.random_token(16)
            with transaction.atomic():
                # The conditions are checked again in the UPDATE: a delivery a concurrent sweep or replay took
                # meanwhile is not claimed twice.
                claimed = WebhookDelivery.objects.filter(
                    id__in=chunk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
                ).update(claim_token=token, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), updated_at=now)
                if claimed:
                    webhook_delivery_send_task.enqueue(chunk[0], token)
                    queued += claimed
    return queued


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=SEND_CONCURRENCY, thread_name_prefix="webhook-send")


def webhook_delivery_send(*, delivery_id: str, claim_token: str) -> str:
    """Make one attempt at every delivery holding `claim_token` (a batch); returns the status of `delivery_id`
    afterwards, or "skipped" when the token is no longer held by any delivery (a duplicate or stale task)."""
    now = clock.now()
    running = crypto.random_token(16)
    # Swapping the token makes this task the only sender, and pushing next_attempt_at keeps the sweep away
    # while the requests are in flight.
    if not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, claim_token=claim_token).update(
            claim_token=running, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), updated_at=now):
        return "skipped"
    deliveries = list(WebhookDelivery.objects.select_related("endpoint", "event")
                      .filter(claim_token=running, status=DeliveryStatus.PENDING).order_by("id"))
    sendable, secrets = [], {}
    for delivery in deliveries:
        endpoint = delivery.endpoint
        if endpoint.deleted_at is not None or endpoint.status != EndpointStatus.ENABLED:
            reason = "deleted" if endpoint.deleted_at is not None else "disabled"
            WebhookDelivery.objects.filter(id=delivery.id, claim_token=running).update(
                status=DeliveryStatus.FAILED, next_attempt_at=None, claim_token="",
                last_error=f"not sent: endpoint {reason}", updated_at=now)
            continue
        if endpoint.id not in secrets:  # decrypt each endpoint's secrets once per batch
            secrets[endpoint.id] = endpoint.active_secrets(now)
        body = event_body(delivery.event)
        headers = {HEADER: signature_header(body, secrets[endpoint.id], int(now.timestamp())),
                   "Lipwa-Delivery-Id": delivery.id}
        sendable.append((delivery, body, headers))
    outcomes = _post_all(sendable)
    statuses = _record_batch([(delivery, outcome) for (delivery, _, _), outcome
                              in zip(sendable, outcomes, strict=True)], running=running, attempted_at=now)
    if delivery_id in statuses:
        return statuses[delivery_id]
    return WebhookDelivery.objects.filter(id=delivery_id).values_list("status", flat=True).first() or "skipped"


def _post_all(sendable: list[tuple[WebhookDelivery, bytes, dict]]) -> list[AttemptOutcome]:
    """POST every delivery of the batch, concurrently when there are several; threads only do HTTP."""
    timeout = timeout_seconds()

    def post(item: tuple[WebhookDelivery, bytes, dict]) -> AttemptOutcome:
        delivery, body, headers = item
        return post_event(delivery.endpoint.url, body, headers, timeout_seconds=timeout)

    if len(sendable) <= 1:
        return [post(item) for item in sendable]
    return list(_executor().map(post, sendable))


def _record_batch(results: list[tuple[WebhookDelivery, AttemptOutcome]], *, running: str,
                  attempted_at: datetime) -> dict[str, str]:
    """Record the batch's successes together (one transaction, a few statements), then each failure on its
    own. Successes first: a failure recorded after them starts the endpoint's failing run no earlier than
    its latest success, so a batch that reached the endpoint never disables it."""
    successes = [(d, o) for d, o in results if o.succeeded]
    leftovers = [(d, o) for d, o in results if not o.succeeded]
    statuses: dict[str, str] = {}
    if successes:
        unsettled = _record_successes(successes, running=running, attempted_at=attempted_at)
        statuses = {d.id: DeliveryStatus.SUCCEEDED for d, _ in successes}
        leftovers = unsettled + leftovers
    for delivery, outcome in leftovers:
        statuses[delivery.id] = _record_attempt(delivery_id=delivery.id, endpoint_id=delivery.endpoint_id,
                                                running=running, outcome=outcome, attempted_at=attempted_at)
    return statuses


def _record_successes(successes: list[tuple[WebhookDelivery, AttemptOutcome]], *, running: str,
                      attempted_at: datetime) -> list[tuple[WebhookDelivery, AttemptOutcome]]:
    """Mark the deliveries that still hold this task's claim succeeded; returns the others (replayed, or
    stopped with their endpoint, while in flight) for `_record_attempt` to settle one by one."""
    endpoint_ids = sorted({d.endpoint_id for d, _ in successes})
    with transaction.atomic():
        # Lock order as everywhere: endpoints (the UPDATE locks them), then their deliveries. The endpoint
        # answered 2xx whoever holds the claims now, so its failing run ends either way.
        WebhookEndpoint.objects.filter(id__in=endpoint_ids).update(failing_since=None,
                                                                  last_succeeded_at=attempted_at)
        held = set(WebhookDelivery.objects.select_for_update()
                   .filter(id__in=[d.id for d, _ in successes], claim_token=running, status=DeliveryStatus.PENDING)
                   .order_by("id").values_list("id", flat=True))
        mine = [(d, o) for d, o in successes if d.id in held]
        now = clock.now()
        by_code: dict[int | None, list[str]] = {}
        for delivery, outcome in mine:
            by_code.setdefault(outcome.status_code, []).append(delivery.id)
        for status_code, ids in by_code.items():
            WebhookDelivery.objects.filter(id__in=ids).update(
                status=DeliveryStatus.SUCCEEDED, succeeded_at=attempted_at, next_attempt_at=None, claim_token="",
                attempts_count=F("attempts_count") + 1, last_attempt_at=attempted_at,
                last_status_code=status_code, last_error="", updated_at=now)
        WebhookAttempt.objects.bulk_create([
            WebhookAttempt(delivery_id=d.id, attempted_at=attempted_at, succeeded=True, status_code=o.status_code,
                           error=o.error, latency_ms=o.latency_ms, response_excerpt=o.response_excerpt)
            for d, o in mine])
    return [(d, o) for d, o in successes if d.id not in held]


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
