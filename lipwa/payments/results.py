"""Apply a gateway's answer (from the initiate call, a status query or a callback) to an attempt.

This is the one place where gateway results change payments, so duplicates, late answers and
contradictions are all settled here, under row locks (payment first, then attempt).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import NotFound
from lipwa.common.fixed_sql import row_update, rows_exist, rows_select
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.ledger.postings import charge_captured

from .events import event_record
from .models import PaymentAttempt, PaymentIntent
from .networks import phone_network_remember
from .signals import attempt_finalized, attempt_reference_assigned
from .states import ATTEMPT_FINAL, PAYMENT_FINAL, AttemptStatus, PaymentStatus, attempt_transition, payment_transition

log = logging.getLogger("lipwa.payments")

# Re-query schedule for attempts whose outcome is not final: 10 s, 30 s, 1 min, 5 min, 15 min, then hourly.
SYNC_BACKOFF_SECONDS = (10, 30, 60, 300, 900, 3600)

RESULT_TO_ATTEMPT = {
    ResultStatus.PENDING: AttemptStatus.PROCESSING,
    ResultStatus.PROCESSING: AttemptStatus.PROCESSING,
    ResultStatus.UNKNOWN: AttemptStatus.PROCESSING,
    ResultStatus.REQUIRES_ACTION: AttemptStatus.REQUIRES_ACTION,
    ResultStatus.SUCCEEDED: AttemptStatus.SUCCEEDED,
    ResultStatus.FAILED: AttemptStatus.FAILED,
    ResultStatus.CANCELLED: AttemptStatus.FAILED,
    ResultStatus.EXPIRED: AttemptStatus.FAILED,
}
ATTEMPT_TO_PAYMENT = {
    AttemptStatus.PROCESSING: PaymentStatus.PROCESSING,
    AttemptStatus.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
    AttemptStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
    AttemptStatus.FAILED: PaymentStatus.FAILED,
}
# A customer who declines or ignores a prompt ends the payment as failed, with the reason as its code.
DEFAULT_FAILURE = {ResultStatus.CANCELLED: FailureCode.CUSTOMER_CANCELLED,
                   ResultStatus.EXPIRED: FailureCode.CUSTOMER_TIMEOUT}
# The columns applying a result may change: saving only these writes a fraction of the row, with an UPDATE
# written once per process (`row_update`) rather than compiled for every result.
ATTEMPT_RESULT_FIELDS = ("status", "outcome_unknown", "gateway_status", "gateway_message", "gateway_reference",
                         "receipt_number", "connector_state", "next_sync_at", "failure_code", "sync_count",
                         "updated_at")
PAYMENT_RESULT_FIELDS = ("status", "next_action", "succeeded_at", "receipt_number", "failure_code",
                         "failure_message", "gateway_reference", "updated_at")


def sync_delay_seconds(sync_count: int) -> int:
    return SYNC_BACKOFF_SECONDS[min(sync_count, len(SYNC_BACKOFF_SECONDS) - 1)]


def attempt_apply_result(*, attempt_id: str, result: ChargeResult, source: str,
                         locked: tuple[PaymentIntent, PaymentAttempt] | None = None,
                         payment_id: str | None = None) -> PaymentIntent:
    """Apply `result` to the attempt (see `attempt_apply`); returns the payment."""
    return attempt_apply(attempt_id=attempt_id, result=result, source=source, locked=locked,
                         payment_id=payment_id)[0]


def attempt_apply(*, attempt_id: str, result: ChargeResult, source: str,
                  locked: tuple[PaymentIntent, PaymentAttempt] | None = None,
                  payment_id: str | None = None) -> tuple[PaymentIntent, PaymentAttempt]:
    """Apply `result` (source: "initiate", "sync", "callback", "action" or "operator") in one transaction;
    safe to repeat.

    `locked` is for a caller that already holds the payment and this attempt under row locks (in that order)
    in its open transaction: they are used as they are instead of being read and locked again, and the work
    joins the caller's transaction without a savepoint, so an error rolls back the caller's change too.
    `payment_id` is for a caller that knows the attempt's payment (it created the attempt): it spares a read
    before the locks, and is checked against the locked attempt.
    Returns the payment and the attempt as saved, so a caller need not read the attempt again.
    """
    if locked is not None:
        payment, attempt = locked
        if attempt.id != attempt_id or attempt.payment_id != payment.id:
            raise ValueError(f"locked rows are not attempt {attempt_id} and its payment")
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("locked rows are only locked inside the caller's transaction")
    with transaction.atomic(savepoint=locked is None):
        if locked is None:
            payment, attempt = _lock_rows(attempt_id, payment_id)
        now = clock.now()
        if source == "sync":
            attempt.sync_count += 1
        if not _record_reference(payment, attempt, result) or _contradicts(payment, attempt, result):
            attempt.updated_at = now
            row_update(attempt, ATTEMPT_RESULT_FIELDS)
            _save_reference(payment)
            return payment, attempt
        target = RESULT_TO_ATTEMPT[result.status]
        if attempt.status == target and target in (AttemptStatus.SUCCEEDED, AttemptStatus.FAILED):
            _add_details(payment, attempt, result, now)
            _save_reference(payment)
            return payment, attempt
        attempt_transition(attempt.status, target)
        _update_attempt(attempt, result, target, now)
        if target in ATTEMPT_FINAL:
            attempt_finalized.send(sender=PaymentAttempt, attempt_id=attempt.id)
        if target == AttemptStatus.SUCCEEDED:
            # Money moved at the gateway: the ledger records it even when the payment was already final.
            charge_captured(merchant_id=payment.merchant_id, mode=payment.mode, currency=attempt.currency,
                            connector_account_id=attempt.connector_account_id, payment_id=payment.id,
                            attempt_id=attempt.id, amount_minor=attempt.amount_minor, fee_minor=payment.fee_minor)
        if payment.status in PAYMENT_FINAL:
            # Only a success can reach here (see _contradicts); the attempt records it, the payment stays.
            _save_reference(payment)
            return payment, attempt
        _update_payment(payment, attempt, result, ATTEMPT_TO_PAYMENT[target], now)
    return payment, attempt


def _lock_rows(attempt_id: str, payment_id: str | None) -> tuple[PaymentIntent, PaymentAttempt]:
    """The attempt's payment, then the attempt, under row locks (the documented order)."""
    if payment_id is None:
        payment_id = PaymentAttempt.objects.filter(id=attempt_id).values_list("payment_id", flat=True).first()
        if payment_id is None:
            raise NotFound(f"no attempt {attempt_id}")
    # The merchant comes along unlocked (FOR UPDATE OF the payment): every event snapshot reads its settlement
    # currency. Fixed SQL: these two reads run for every result, and compiling them was a large part of its CPU.
    payments = rows_select(PaymentIntent, "t.id = %s", [payment_id], related=("merchant",), lock=True)
    attempts = rows_select(PaymentAttempt, "t.id = %s", [attempt_id], lock=True) if payments else []
    if not attempts or attempts[0].payment_id != payments[0].id:
        raise NotFound(f"no attempt {attempt_id} of payment {payment_id}")
    return payments[0], attempts[0]


def _save_reference(payment: PaymentIntent) -> None:
    """Write the gateway reference `_record_reference` gave the payment, on paths that do not save it anyway."""
    if getattr(payment, "_reference_unsaved", False):
        payment.save(update_fields=["gateway_reference"])
        payment._reference_unsaved = False


def _record_reference(payment: PaymentIntent, attempt: PaymentAttempt, result: ChargeResult) -> bool:
    """Learn the gateway reference; False when the result names a reference this attempt cannot own (then
    the result must change nothing). The payment's copy is saved with the payment's own update (or by
    `_save_reference`), not in a statement of its own."""
    reference = result.gateway_reference
    if not reference or attempt.gateway_reference == reference:
        return True
    if attempt.gateway_reference:
        log.error("attempt %s has gateway reference %s but a result names %s; result ignored",
                  attempt.id, attempt.gateway_reference, reference)
        return False
    if rows_exist(PaymentAttempt, "t.connector_account_id = %s AND t.gateway_reference = %s",
                  [attempt.connector_account_id, reference]):
        _flag_review(payment, attempt, f"gateway reference {reference} already belongs to another attempt")
        return False
    attempt.gateway_reference = reference
    if not payment.gateway_reference:
        payment.gateway_reference = reference
        payment._reference_unsaved = True
    attempt_reference_assigned.send(sender=PaymentAttempt, connector_account_id=attempt.connector_account_id,
                                    gateway_reference=reference)
    return True


def _contradicts(payment: PaymentIntent, attempt: PaymentAttempt, result: ChargeResult) -> bool:
    """True when the result must not change state; flags the payment for review where money may have moved."""
    target = RESULT_TO_ATTEMPT[result.status]
    succeeded = result.status is ResultStatus.SUCCEEDED
    if succeeded and result.amount is not None and (
            result.amount.amount_minor != attempt.amount_minor or result.amount.currency != attempt.currency):
        _flag_review(payment, attempt, f"gateway reports {result.amount} but the attempt was for "
                                       f"{attempt.amount_minor} {attempt.currency} minor units")
        return True
    if attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.FAILED):
        if target == attempt.status:
            return False  # a repeat of the final answer; it may only add details
        if target in ATTEMPT_FINAL:
            _flag_review(payment, attempt, f"gateway now reports {result.status} for an attempt already "
                                           f"{attempt.status}")
        return True
    if payment.status in PAYMENT_FINAL or attempt.status == AttemptStatus.EXPIRED:
        if succeeded:
            _flag_review(payment, attempt, f"late success after the payment was {payment.status}")
            return False
        return True
    return False


def _add_details(payment: PaymentIntent, attempt: PaymentAttempt, result: ChargeResult, now) -> None:
    """A repeated final answer (duplicate callback, callback after query) may carry a receipt number."""
    if result.receipt_number and not attempt.receipt_number:
        attempt.receipt_number = result.receipt_number
        if payment.status == PaymentStatus.SUCCEEDED and not payment.receipt_number:
            payment.receipt_number = result.receipt_number
            payment.updated_at = now
            payment.save(update_fields=["receipt_number", "updated_at"])
    attempt.updated_at = now
    row_update(attempt, ATTEMPT_RESULT_FIELDS)


def _flag_review(payment: PaymentIntent, attempt: PaymentAttempt, reason: str) -> None:
    log.error("payment %s needs review: %s (attempt %s)", payment.id, reason, attempt.id)
    payment.needs_review = True
    payment.updated_at = clock.now()
    payment.save(update_fields=["needs_review", "updated_at"])
    event_record(payment, "payment.review_required", attempt_id=attempt.id, extra={"reason": reason})


def _update_attempt(attempt: PaymentAttempt, result: ChargeResult, target: AttemptStatus, now) -> None:
    attempt.status = target
    attempt.outcome_unknown = result.status is ResultStatus.UNKNOWN
    attempt.gateway_status = (result.gateway_status or attempt.gateway_status)[:100]
    attempt.gateway_message = (result.gateway_message or attempt.gateway_message)[:500]
    if result.receipt_number:
        attempt.receipt_number = result.receipt_number
    if result.connector_state:
        attempt.connector_state = {**attempt.connector_state, **result.connector_state}
    if target in ATTEMPT_FINAL:
        attempt.next_sync_at = None
        attempt.failure_code = _failure_code(result) or ""
    else:
        attempt.next_sync_at = now + timedelta(seconds=sync_delay_seconds(attempt.sync_count))
    attempt.updated_at = now
    row_update(attempt, ATTEMPT_RESULT_FIELDS)


def _failure_code(result: ChargeResult) -> str | None:
    code = result.failure_code or DEFAULT_FAILURE.get(result.status)
    if result.status in (ResultStatus.FAILED, ResultStatus.CANCELLED, ResultStatus.EXPIRED):
        return str(code or FailureCode.PROVIDER_DECLINED)
    return None


def _update_payment(payment: PaymentIntent, attempt: PaymentAttempt, result: ChargeResult,
                    target: PaymentStatus, now) -> None:
    changed = payment_transition(payment.status, target)
    payment.status = target
    if result.next_action is not None or target != PaymentStatus.REQUIRES_ACTION:
        payment.next_action = dict(result.next_action) if result.next_action else None
    if target == PaymentStatus.SUCCEEDED:
        phone_network_remember(merchant_id=payment.merchant_id, phone_e164=payment.phone_e164,
                               network=payment.network)
        payment.succeeded_at = payment.succeeded_at or now
        payment.receipt_number = result.receipt_number or attempt.receipt_number or payment.receipt_number
    if target == PaymentStatus.FAILED:
        payment.failure_code = attempt.failure_code
        payment.failure_message = (result.gateway_message or attempt.failure_code)[:300]
    payment.updated_at = now
    row_update(payment, PAYMENT_RESULT_FIELDS)
    payment._reference_unsaved = False
    if changed:
        event_record(payment, f"payment.{target.value}", attempt_id=attempt.id)
