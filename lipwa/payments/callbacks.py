"""Apply a gateway callback to its attempt, confirming unsigned callbacks by a status query first."""

from __future__ import annotations

import logging

from lipwa.common.money import Money
from lipwa.connectors.types import ChargeResult, ResultStatus, WebhookParseResult

from .results import RESULT_TO_ATTEMPT, attempt_apply, attempt_apply_result
from .selectors import attempt_candidates_for_adoption, attempt_find_by_reference
from .services import attempt_query

log = logging.getLogger("lipwa.payments")


def attempt_for_callback(*, connector_account_id: str, parsed: WebhookParseResult) -> str | None:
    """The attempt a callback is about: by gateway reference, or by adopting the one in-flight attempt
    without a reference whose amount and payer match (its initiate call timed out or is still running)."""
    attempt_id = attempt_find_by_reference(connector_account_id=connector_account_id,
                                           gateway_reference=parsed.gateway_reference)
    if attempt_id or parsed.result.amount is None:
        return attempt_id
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
    return candidates[0]


class CallbackOutcome:
    APPLIED = "applied"
    AWAITING = "awaiting_confirmation"  # the status query does not say final yet: keep it and try again
    CONTRADICTED = "contradicted"


def attempt_apply_callback(*, attempt_id: str, result: ChargeResult, verified: bool) -> tuple[str, str]:
    """Apply a callback's result. An unverifiable callback is only a hint: the gateway is asked, and the
    callback counts only if the gateway's answer agrees. Returns (outcome, explanation)."""
    if verified:
        attempt_apply_result(attempt_id=attempt_id, result=result, source="callback")
        return CallbackOutcome.APPLIED, "signature verified"
    query = attempt_query(attempt_id=attempt_id)
    if RESULT_TO_ATTEMPT.get(query.status) == RESULT_TO_ATTEMPT[result.status]:
        # The query agrees: apply the callback itself, which carries what the query lacks (receipt number,
        # amount), so the one status change and its event are complete rather than patched afterwards.
        _, attempt = attempt_apply(attempt_id=attempt_id, result=result, source="callback")
        if attempt.status != RESULT_TO_ATTEMPT[result.status]:
            # The callback itself was refused (another amount: flagged for review); the gateway's own answer
            # about lipwa's charge still counts.
            attempt_apply_result(attempt_id=attempt_id, result=query, source="sync")
        return CallbackOutcome.APPLIED, "confirmed by status query"
    _, queried = attempt_apply(attempt_id=attempt_id, result=query, source="sync")  # the query's own answer
    query_status = queried.status
    if query_status == RESULT_TO_ATTEMPT[result.status]:
        # The query agrees; the callback carries details the query lacks (receipt number, amount).
        attempt_apply_result(attempt_id=attempt_id, result=result, source="callback")
        return CallbackOutcome.APPLIED, "confirmed by status query"
    if query_status in ("processing", "requires_action", "pending"):
        # Kept, not dropped: it is processed again when the attempt reaches a final status, so a receipt
        # number (or an amount mismatch) it carries is not lost.
        return CallbackOutcome.AWAITING, f"status query still says {query_status}; re-checked when final"
    log.warning("callback for attempt %s says %s but the status query says %s", attempt_id, result.status,
                query_status)
    return CallbackOutcome.CONTRADICTED, f"contradicted by status query ({query_status}); query result applied"
