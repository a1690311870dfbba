"""Gateway callbacks: store raw → verify → dedupe → match → apply, each step recorded on the row."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from lipwa.common import clock, crypto
from lipwa.common.fixed_sql import row_update, rows_exist
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.registry import UnknownConnector, connector_for_account, connector_for_slug
from lipwa.connectors.types import InboundRequest, WebhookAck, WebhookVerification
from lipwa.merchants.services import account_context, callback_token, connector_account_get
from lipwa.payments.callbacks import CallbackOutcome, attempt_apply_callback, attempt_for_callback
from lipwa.payments.refunds import refund_apply_callback, refund_for_callback

from .models import InboundStatus, InboundWebhook

log = logging.getLogger("lipwa.webhooks_in")

# Headers that can carry credentials are not kept; signature headers are, because they are evidence.
_DROPPED_HEADERS = {"authorization", "cookie", "proxy-authorization"}


class CallbackRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def inbound_webhook_receive(*, slug: str, account_id: str, token: str | None, path: str, headers: dict[str, str],
                            body: bytes, remote_addr: str) -> tuple[InboundWebhook, WebhookAck]:
    """Store the callback before anything else, then queue it. Raises CallbackRefused (after storing) for
    callbacks that cannot be ours; the row stays as evidence."""
    from .tasks import inbound_webhook_process_task

    kept_headers = {k.lower(): v for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS}
    account = connector_account_get(account_id)
    try:
        connector_id = connector_for_slug(slug).id
    except UnknownConnector:
        connector_id = ""
    reason = _refusal_reason(connector_id, account, token)
    # The token is a secret (it lets anyone post callbacks for the account); keep only its masked form.
    stored_path = path.replace(token, crypto.mask_secret(token)) if token else path
    with transaction.atomic():
        webhook = InboundWebhook.objects.create(
            connector=connector_id or slug[:32], connector_account=account if account and not reason else None,
            path=stored_path[:500], headers=kept_headers, body=body, remote_addr=remote_addr[:64],
            status=InboundStatus.REJECTED if reason else InboundStatus.RECEIVED, status_reason=reason,
            received_at=clock.now(), reprocess_at=None if reason else clock.now() + _reprocess_after())
        if not reason:
            inbound_webhook_process_task.enqueue(webhook.id)
    if reason:
        log.warning("callback %s refused: %s (from %s)", webhook.id, reason, remote_addr)
        raise CallbackRefused(404 if "unknown" in reason else 403, reason)
    return webhook, connector_for_account(account_context(account)).webhook_ack(True)


def _reprocess_after() -> timedelta:
    """A stored callback whose job has not run after this long is queued again: the job may have been taken by a
    worker that died. Long enough that a busy queue rarely gets a second copy (which finds the row processed)."""
    return timedelta(seconds=settings.LIPWA_CALLBACK_REPROCESS_SECONDS)


def _refusal_reason(connector_id: str, account, token: str | None) -> str:
    if not connector_id:
        return "unknown connector in callback path"
    if account is None:
        return "unknown connector account in callback path"
    if account.connector != connector_id:
        return f"account {account.id} is not a {connector_id} account"
    if not token:
        return "missing callback token"
    if not crypto.constant_time_equals(token, callback_token(account)):
        return "wrong callback token"
    return ""


def inbound_webhook_process(*, webhook_id: str) -> str:
    """Verify, parse, dedupe and apply one stored callback; returns its final status."""
    # [:1], not first(): a primary-key lookup needs no ORDER BY, which the ORM would compile for every callback.
    webhook = next(iter(InboundWebhook.objects.select_related("connector_account").filter(id=webhook_id)[:1]), None)
    if webhook is None or webhook.status not in (InboundStatus.RECEIVED, InboundStatus.UNMATCHED,
                                                 InboundStatus.AWAITING_CONFIRMATION):
        return webhook.status if webhook else "missing"
    webhook.process_count += 1
    connector = connector_for_account(account_context(webhook.connector_account))
    inbound = InboundRequest(headers=webhook.headers, body=bytes(webhook.body), remote_addr=webhook.remote_addr)
    verification = connector.webhook_verify(inbound)
    if verification is WebhookVerification.REJECTED:
        return _finish(webhook, InboundStatus.REJECTED, "signature verification failed")
    try:
        parsed = connector.webhook_parse(inbound)
    except WebhookParseError as exc:
        return _finish(webhook, InboundStatus.REJECTED, f"unparseable: {exc}")
    webhook.gateway_reference = parsed.gateway_reference[:200]
    webhook.dedupe_key = parsed.dedupe_key[:300]
    if _already_processed(webhook):
        return _finish(webhook, InboundStatus.DUPLICATE, "same event already processed")
    if parsed.kind == "refund":
        return _process_refund_callback(webhook, parsed, verification)
    target = attempt_for_callback(connector_account_id=webhook.connector_account_id, parsed=parsed)
    if target is None:
        log.warning("callback %s names %s, which no attempt carries (yet)", webhook.id, parsed.gateway_reference)
        return _finish(webhook, InboundStatus.UNMATCHED, "no attempt carries this gateway reference yet")
    webhook.attempt_id = target.attempt_id
    # The status query goes through the connector built for this callback's account, which is the attempt's.
    outcome, explanation = attempt_apply_callback(target=target, result=parsed.result, connector=connector,
                                                  verified=verification is WebhookVerification.VERIFIED)
    if outcome == CallbackOutcome.AWAITING:
        return _finish(webhook, InboundStatus.AWAITING_CONFIRMATION, explanation)
    return _finish(webhook, InboundStatus.PROCESSED, explanation)


def _process_refund_callback(webhook: InboundWebhook, parsed, verification: WebhookVerification) -> str:
    refund_id = refund_for_callback(connector_account_id=webhook.connector_account_id,
                                    gateway_reference=parsed.gateway_reference)
    if refund_id is None or parsed.operation is None:
        log.warning("refund callback %s names %s, which no refund carries", webhook.id, parsed.gateway_reference)
        return _finish(webhook, InboundStatus.UNMATCHED, "no refund carries this gateway reference")
    webhook.attempt_id = refund_id[:40]
    explanation = refund_apply_callback(refund_id=refund_id, result=parsed.operation,
                                        verified=verification is WebhookVerification.VERIFIED)
    return _finish(webhook, InboundStatus.PROCESSED, explanation)


def _already_processed(webhook: InboundWebhook) -> bool:
    """Whether another callback with the same dedupe key was processed (fixed SQL: every callback asks)."""
    return rows_exist(InboundWebhook, "t.connector_account_id = %s AND t.dedupe_key = %s AND t.status = %s "
                      "AND t.id <> %s", [webhook.connector_account_id, webhook.dedupe_key,
                                         InboundStatus.PROCESSED.value, webhook.id])


def _finish(webhook: InboundWebhook, status: str, reason: str) -> str:
    webhook.status = status
    webhook.status_reason = reason[:500]
    webhook.processed_at = clock.now()
    # Only what processing changed (a full-row save would write the stored body and headers again), as fixed SQL
    # rather than an UPDATE the ORM compiles for every callback.
    row_update(webhook, ("process_count", "gateway_reference", "dedupe_key", "attempt_id", "status",
                         "status_reason", "processed_at"))
    if status == InboundStatus.REJECTED:
        log.warning("callback %s rejected: %s", webhook.id, reason)
    return status


def inbound_webhooks_reconfirm(*, attempt_id: str) -> None:
    """The attempt reached a final status: callbacks kept awaiting confirmation can be judged now."""
    from .tasks import inbound_webhook_process_task

    waiting = _waiting_ids("attempt_id = %s AND status = %s ORDER BY received_at",
                           [attempt_id, InboundStatus.AWAITING_CONFIRMATION.value])
    for webhook_id in waiting:
        inbound_webhook_process_task.enqueue(webhook_id)


def inbound_webhooks_rematch(*, connector_account_id: str, gateway_reference: str) -> None:
    """Queue again the callbacks that arrived before their attempt knew its gateway reference."""
    from .tasks import inbound_webhook_process_task

    waiting = _waiting_ids("connector_account_id = %s AND gateway_reference = %s AND status = %s",
                           [connector_account_id, gateway_reference, InboundStatus.UNMATCHED.value])
    for webhook_id in waiting:
        inbound_webhook_process_task.enqueue(webhook_id)


def _waiting_ids(condition: str, params: list[str]) -> list[str]:
    """Every attempt that gets a reference or a final status asks this, and almost always finds nothing: one
    fixed statement rather than an ORM query built each time (the ORM's SQL compilation dominated it)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(InboundWebhook._meta.db_table)
        cursor.execute(f"SELECT id FROM {table} WHERE {condition}", params)  # noqa: S608 - fixed text, no input
        return [row[0] for row in cursor.fetchall()]


def inbound_webhooks_reprocess_due(*, limit: int = 500) -> int:
    """The sweep for callbacks stored but never processed (their job was lost with a killed worker): queue each
    again and push its next sweep back; processing is idempotent, so a job that was only slow does no harm."""
    from .tasks import inbound_webhook_process_task

    now = clock.now()
    due = (InboundWebhook.objects.filter(status=InboundStatus.RECEIVED, reprocess_at__lte=now)
           .order_by("reprocess_at").values_list("id", flat=True)[:limit])
    queued = 0
    for webhook_id in list(due):
        with transaction.atomic():
            if InboundWebhook.objects.filter(id=webhook_id, status=InboundStatus.RECEIVED,
                                             reprocess_at__lte=now).update(reprocess_at=now + _reprocess_after()):
                inbound_webhook_process_task.enqueue(webhook_id)
                queued += 1
    if queued:
        log.warning("queued %s stored callback(s) again whose processing never ran", queued)
    return queued
