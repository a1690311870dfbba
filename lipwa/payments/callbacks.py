"""Apply a gateway callback to its attempt, confirming unsigned callbacks by a status query first."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass

from django.db import connection

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.types import ChargeResult, ResultStatus, SyncRequest, WebhookParseResult

from .models import PaymentAttempt, PaymentIntent
from .results import RESULT_TO_ATTEMPT, attempt_apply, attempt_apply_result
from .selectors import attempt_candidates_for_adoption

log = logging.getLogger("lipwa.payments")


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    """The attempt a callback is about, with what a status query about it needs (read without locks: the
    application reads and locks the rows again)."""

    attempt_id: str
    payment_id: str
    sync_request: SyncRequest


def attempt_for_callback(*, connector_account_id: str, parsed: WebhookParseResult) -> CallbackAttempt | None:
    """The attempt a callback is about: by gateway reference, or by adopting the one in-flight attempt
    without a reference whose amount and payer match (its initiate call timed out or is still running)."""
    found = _attempt_read("a.connector_account_id = %s AND a.gateway_reference = %s",
                          [connector_account_id, parsed.gateway_reference])
    if found or parsed.result.amount is None:
        return found
    amount: Money = parsed.result.amount
    payer = parsed.result.payer if parsed.result.payer and parsed.result.payer.isdigit() else None
    candidates = attempt_candidates_for_adoption(connector_account_id=connector_account_id,
                                                 amount_minor=amount.amount_minor, currency=amount.currency,
                                                 payer_digits=payer)
    if len(candidates) != 1:
        return None
    log.info("callback %s adopted by attempt %s", parsed.gateway_reference, candidates[0])
    attempt_apply_result(attempt_id=candidates[0], source="callback",
                         result=ChargeResult(status=ResultStatus.PROCESSING,
                                             gateway_reference=parsed.gateway_reference))
    return _attempt_read("a.id = %s", [candidates[0]])


@functools.cache
def _attempt_select(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (f"SELECT a.id, a.payment_id, a.gateway_reference, a.amount_minor, a.currency, a.connector_state, "
            f"p.phone_e164 FROM {quote(PaymentAttempt._meta.db_table)} a "
            f"INNER JOIN {quote(PaymentIntent._meta.db_table)} p ON p.id = a.payment_id WHERE ")


def _attempt_read(condition: str, params: list[str]) -> CallbackAttempt | None:
    """Every callback reads its attempt once to find it and to build the status query: one fixed statement
    instead of two ORM queries compiled for each callback (the reference is unique per account)."""
    with connection.cursor() as cursor:
        cursor.execute(_attempt_select(connection.vendor) + condition, params)
        row = cursor.fetchone()
    if row is None:
        return None
    attempt_id, payment_id, reference, amount_minor, currency, state, phone_e164 = row
    if isinstance(state, str | bytes):  # JSON arrives as text on both databases (the ORM decodes it the same way)
        state = json.loads(state)
    request = SyncRequest(attempt_id=attempt_id, gateway_reference=reference, amount=Money(amount_minor, currency),
                          phone=parse_phone(phone_e164) if phone_e164 else None, connector_state=state or {})
    return CallbackAttempt(attempt_id=attempt_id, payment_id=payment_id, sync_request=request)


class CallbackOutcome:
    APPLIED = "applied"
    AWAITING = "awaiting_confirmation"  # the status query does not say final yet: keep it and try again
    CONTRADICTED = "contradicted"


def attempt_apply_callback(*, target: CallbackAttempt, result: ChargeResult, verified: bool,
                           connector: Connector) -> tuple[str, str]:
    """Apply a callback's result. An unverifiable callback is only a hint: the gateway is asked (through
    `connector`, the account the callback came for, which is the attempt's), and the callback counts only if
    the gateway's answer agrees. Returns (outcome, explanation)."""
    attempt_id, payment_id = target.attempt_id, target.payment_id
    if verified:
        attempt_apply_result(attempt_id=attempt_id, result=result, source="callback", payment_id=payment_id)
        return CallbackOutcome.APPLIED, "signature verified"
    query = _gateway_query(connector, target.sync_request)
    if RESULT_TO_ATTEMPT.get(query.status) == RESULT_TO_ATTEMPT[result.status]:
        # The query agrees: apply the callback itself, which carries what the query lacks (receipt number,
        # amount), so the one status change and its event are complete rather than patched afterwards.
        _, attempt = attempt_apply(attempt_id=attempt_id, result=result, source="callback", payment_id=payment_id)
        if attempt.status != RESULT_TO_ATTEMPT[result.status]:
            # The callback itself was refused (another amount: flagged for review); the gateway's own answer
            # about lipwa's charge still counts.
            attempt_apply_result(attempt_id=attempt_id, result=query, source="sync", payment_id=payment_id)
        return CallbackOutcome.APPLIED, "confirmed by status query"
    # The query's own answer.
    _, queried = attempt_apply(attempt_id=attempt_id, result=query, source="sync", payment_id=payment_id)
    query_status = queried.status
    if query_status == RESULT_TO_ATTEMPT[result.status]:
        # The query agrees; the callback carries details the query lacks (receipt number, amount).
        attempt_apply_result(attempt_id=attempt_id, result=result, source="callback", payment_id=payment_id)
        return CallbackOutcome.APPLIED, "confirmed by status query"
    if query_status in ("processing", "requires_action", "pending"):
        # Kept, not dropped: it is processed again when the attempt reaches a final status, so a receipt
        # number (or an amount mismatch) it carries is not lost.
        return CallbackOutcome.AWAITING, f"status query still says {query_status}; re-checked when final"
    log.warning("callback for attempt %s says %s but the status query says %s", attempt_id, result.status,
                query_status)
    return CallbackOutcome.CONTRADICTED, f"contradicted by status query ({query_status}); query result applied"


def _gateway_query(connector: Connector, request: SyncRequest) -> ChargeResult:
    """What `attempt_query` does, with the attempt already read and the connector already built for the
    callback's account. A connector that raises counts as an unknown outcome."""
    try:
        return connector.charge_sync(request)
    except Exception:
        log.exception("connector %s raised while syncing attempt %s", connector.id, request.attempt_id)
        return ChargeResult(status=ResultStatus.UNKNOWN, gateway_message="connector error during sync")
