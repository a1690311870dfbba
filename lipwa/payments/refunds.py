"""Refunds: full or partial, several per payment, never more in total than was captured.

Lock order: payment, then its refunds (the payment row lock serialises concurrent refunds of one payment,
which is what keeps the total within the captured amount), then ledger accounts. Approval above the
merchant's threshold needs a second person; every step is an event and staff steps are audited.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import NotSupported
from lipwa.connectors.registry import connector_for_account
from lipwa.connectors.types import (
    FailureCode,
    OperationResult,
    OperationSyncRequest,
    RefundRequest,
    ResultStatus,
)
from lipwa.ledger.postings import refund_hold, refund_paid, refund_release
from lipwa.ledger.services import LedgerError
from lipwa.merchants.models import Merchant
from lipwa.merchants.services import account_context

from .events import event_record
from .models import PaymentAttempt, PaymentIntent, Refund
from .presenters import refund_to_dict
from .results import sync_delay_seconds
from .states import REFUND_ACTIVE, REFUND_FINAL, AttemptStatus, PaymentStatus, RefundStatus, refund_transition

log = logging.getLogger("lipwa.refunds")

OPERATION_TO_REFUND = {
    ResultStatus.SUCCEEDED: RefundStatus.SUCCEEDED,
    ResultStatus.FAILED: RefundStatus.FAILED,
    ResultStatus.CANCELLED: RefundStatus.FAILED,
    ResultStatus.EXPIRED: RefundStatus.FAILED,
    ResultStatus.PENDING: RefundStatus.PROCESSING,
    ResultStatus.PROCESSING: RefundStatus.PROCESSING,
    ResultStatus.REQUIRES_ACTION: RefundStatus.PROCESSING,
    ResultStatus.UNKNOWN: RefundStatus.PROCESSING,
}


def refund_create(*, merchant: Merchant, mode: str, payment_id: str, amount: int | None = None,
                  reason: str = "", requested_by: str) -> Refund:
    """Request a refund; it is sent at once unless the merchant's policy wants a second person's approval."""
    with transaction.atomic():
        payment = _lock_payment(payment_id, merchant, mode)
        if payment.status != PaymentStatus.SUCCEEDED:
            raise Conflict(f"payment {payment.id} is {payment.status}; only a succeeded payment can be refunded",
                           code="payment_not_refundable", param="payment")
        refundable = payment.amount_minor - _committed(payment)
        amount = refundable if amount is None else amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidRequest("amount must be a positive integer of minor units", param="amount")
        if amount > refundable:
            raise InvalidRequest(f"amount {Money(amount, payment.currency)} is more than the "
                                 f"{Money(refundable, payment.currency)} still refundable on {payment.id}",
                                 param="amount", code="amount_exceeds_refundable")
        threshold = (merchant.refund_approval_thresholds or {}).get(payment.currency)
        needs_approval = threshold is not None and amount > threshold
        now = clock.now()
        refund = Refund.objects.create(
            payment=payment, merchant=merchant, mode=mode, amount_minor=amount, currency=payment.currency,
            status=RefundStatus.REQUIRES_APPROVAL if needs_approval else RefundStatus.PENDING,
            reason=reason[:500], requested_by=requested_by, created_at=now, updated_at=now)
        _event(payment, refund, "refund.created")
        if needs_approval:
            _event(payment, refund, "refund.approval_required")
        else:
            _hold(payment, refund)
    return refund if needs_approval else refund_send(refund_id=refund.id)


def refund_approve(*, refund_id: str, approver: str) -> Refund:
    with transaction.atomic():
        payment, refund = _lock_refund(refund_id)
        if approver == refund.requested_by:
            raise PermissionDenied(f"{approver} requested refund {refund.id} and cannot also approve it",
                                   code="approval_by_requester")
        if refund.status != RefundStatus.REQUIRES_APPROVAL:
            raise Conflict(f"refund {refund.id} is {refund.status}; it was already decided"
                           + (f" by {refund.decided_by}" if refund.decided_by else ""), code="refund_already_decided")
        _move(refund, RefundStatus.PENDING)
        refund.decided_by = approver
        refund.save()
        _hold(payment, refund)
        audit_record(merchant_id=refund.merchant_id, actor=approver, action="refund.approve", object_type="refund",
                     object_id=refund.id, details={"amount": refund.amount_minor, "currency": refund.currency})
        _event(payment, refund, "refund.approved")
    return refund_send(refund_id=refund.id)


def refund_reject(*, refund_id: str, rejecter: str, note: str = "") -> Refund:
    with transaction.atomic():
        payment, refund = _lock_refund(refund_id)
        if refund.status != RefundStatus.REQUIRES_APPROVAL:
            raise Conflict(f"refund {refund.id} is {refund.status}; it was already decided",
                           code="refund_already_decided")
        _move(refund, RefundStatus.REJECTED)
        refund.decided_by = rejecter
        refund.failure_message = note[:300]
        refund.save()
        audit_record(merchant_id=refund.merchant_id, actor=rejecter, action="refund.reject", object_type="refund",
                     object_id=refund.id, details={"note": note[:300]})
        _event(payment, refund, "refund.rejected")
    return refund


def refund_send(*, refund_id: str) -> Refund:
    """Ask the gateway to refund; a gateway without refunds leaves it pending for a manual refund."""
    refund = Refund.objects.select_related("payment__connector_account").get(id=refund_id)
    if refund.status != RefundStatus.PENDING or refund.method == "manual":
        return refund
    payment = refund.payment
    attempt = payment.attempts.filter(status=AttemptStatus.SUCCEEDED).order_by("created_at").first()
    connector = connector_for_account(account_context(attempt.connector_account))
    request = RefundRequest(refund_id=refund.id, payment_id=payment.id, charge_reference=attempt.gateway_reference,
                            amount=Money(refund.amount_minor, refund.currency),
                            receipt_number=attempt.receipt_number or None,
                            phone=parse_phone(payment.phone_e164) if payment.phone_e164 else None,
                            reason=refund.reason, charge_state=attempt.connector_state)
    try:
        result = connector.refund(request)
    except NotSupported:
        with transaction.atomic():
            payment, refund = _lock_refund(refund_id)
            refund.method = "manual"
            refund.updated_at = clock.now()
            refund.save()
            _event(payment, refund, "refund.manual_action_required")
        return refund
    except Exception:  # a connector bug must not lose a refund that may have been sent
        log.exception("connector raised while refunding %s; outcome unknown", refund_id)
        result = OperationResult(status=ResultStatus.UNKNOWN, gateway_message="connector error; outcome unknown")
    return refund_apply_result(refund_id=refund_id, result=result)


def refund_apply_result(*, refund_id: str, result: OperationResult) -> Refund:
    with transaction.atomic():
        payment, refund = _lock_refund(refund_id)
        if refund.status in REFUND_FINAL:
            if OPERATION_TO_REFUND[result.status] not in (refund.status, RefundStatus.PROCESSING):
                log.error("refund %s is %s but the gateway now says %s", refund.id, refund.status, result.status)
            return refund
        if refund.status == RefundStatus.REQUIRES_APPROVAL or refund.method == "manual":
            log.error("refund %s (%s, %s) was never sent, yet a gateway result arrived; ignored", refund.id,
                      refund.status, refund.method)
            return refund
        target = OPERATION_TO_REFUND[result.status]
        now = clock.now()
        if result.gateway_reference and not refund.gateway_reference:
            refund.gateway_reference = result.gateway_reference
        refund.gateway_status = (result.gateway_status or refund.gateway_status)[:100]
        refund.connector_state = {**refund.connector_state, **result.connector_state}
        refund.outcome_unknown = result.status is ResultStatus.UNKNOWN
        changed = refund.status != target
        _move(refund, target)
        if target == RefundStatus.PROCESSING:
            refund.next_sync_at = now + timedelta(seconds=sync_delay_seconds(refund.sync_count))
        else:
            refund.next_sync_at = None
        if target == RefundStatus.FAILED:
            refund.failure_code = str(result.failure_code or FailureCode.PROVIDER_DECLINED)
            refund.failure_message = (result.gateway_message or refund.failure_code)[:300]
            refund_release(refund_id=refund.id)
        refund.save()
        if target == RefundStatus.SUCCEEDED:
            _paid(payment, refund, now)
        if changed:
            _event(payment, refund, f"refund.{target.value}")
    return refund


def refund_record_manual(*, refund_id: str, operator: str, evidence: dict) -> Refund:
    """An operator refunded outside the gateway (cash, bank transfer) and records the proof."""
    if not isinstance(evidence, dict) or not str(evidence.get("reference") or "").strip():
        raise InvalidRequest("evidence must name the reference of the manual refund (receipt, bank reference)",
                             param="evidence")
    with transaction.atomic():
        payment, refund = _lock_refund(refund_id)
        if refund.status != RefundStatus.PENDING or refund.method != "manual":
            raise Conflict(f"refund {refund.id} is {refund.status} ({refund.method}); only a pending manual refund "
                           "can be recorded", code="refund_not_manual")
        _move(refund, RefundStatus.SUCCEEDED)
        refund.evidence = {**evidence, "operator": operator, "recorded_at": clock.now().isoformat()}
        refund.save()
        _paid(payment, refund, clock.now())
        audit_record(merchant_id=refund.merchant_id, actor=operator, action="refund.manual_record",
                     object_type="refund", object_id=refund.id, details=refund.evidence)
        _event(payment, refund, "refund.succeeded")
    return refund


def refund_sync(*, refund_id: str) -> Refund:
    refund = Refund.objects.select_related("payment__connector_account").get(id=refund_id)
    if refund.status != RefundStatus.PROCESSING:
        return refund
    connector = connector_for_account(account_context(refund.payment.connector_account))
    request = OperationSyncRequest(operation_id=refund.id, gateway_reference=refund.gateway_reference or None,
                                   amount=Money(refund.amount_minor, refund.currency),
                                   connector_state=refund.connector_state)
    try:
        result = connector.refund_sync(request)
    except Exception:
        log.exception("refund sync of %s failed", refund_id)
        result = OperationResult(status=ResultStatus.UNKNOWN)
    Refund.objects.filter(id=refund_id).update(sync_count=refund.sync_count + 1)
    return refund_apply_result(refund_id=refund_id, result=result)


def _committed(payment: PaymentIntent) -> int:
    return payment.refunds.filter(status__in=list(REFUND_ACTIVE)).aggregate(total=Sum("amount_minor"))["total"] or 0


def _hold(payment: PaymentIntent, refund: Refund) -> None:
    try:
        refund_hold(merchant_id=payment.merchant_id, mode=payment.mode, currency=refund.currency,
                    payment_id=payment.id, refund_id=refund.id, amount_minor=refund.amount_minor)
    except LedgerError as error:
        raise Conflict(f"cannot hold {Money(refund.amount_minor, refund.currency)} for refund: {error.message}",
                       code="balance_insufficient") from None


def _paid(payment: PaymentIntent, refund: Refund, now) -> None:
    refund.succeeded_at = now
    refund.save(update_fields=["succeeded_at"])
    attempt = PaymentAttempt.objects.filter(payment=payment, status=AttemptStatus.SUCCEEDED).order_by("created_at")[0]
    refund_paid(merchant_id=payment.merchant_id, mode=payment.mode, currency=refund.currency,
                connector_account_id=attempt.connector_account_id, payment_id=payment.id, refund_id=refund.id,
                amount_minor=refund.amount_minor)
    payment.amount_refunded_minor += refund.amount_minor
    payment.updated_at = now
    payment.save(update_fields=["amount_refunded_minor", "updated_at"])


def _move(refund: Refund, target: RefundStatus) -> None:
    refund_transition(refund.status, target)
    refund.status = target
    refund.updated_at = clock.now()


def _event(payment: PaymentIntent, refund: Refund, event_type: str) -> None:
    event_record(payment, event_type, obj=refund_to_dict(refund))


def _lock_payment(payment_id: str, merchant: Merchant, mode: str) -> PaymentIntent:
    payment = PaymentIntent.objects.select_for_update().filter(id=payment_id, merchant=merchant, mode=mode).first()
    if payment is None:
        raise NotFound(f"no payment {payment_id}", param="payment")
    return payment


def _lock_refund(refund_id: str) -> tuple[PaymentIntent, Refund]:
    payment_id = Refund.objects.filter(id=refund_id).values_list("payment_id", flat=True).first()
    if payment_id is None:
        raise NotFound(f"no refund {refund_id}", param="refund")
    payment = PaymentIntent.objects.select_for_update().get(id=payment_id)
    return payment, Refund.objects.select_for_update().get(id=refund_id)


def refund_for_callback(*, connector_account_id: str, gateway_reference: str) -> str | None:
    """The refund a gateway's refund callback is about: the one whose gateway reference it names, among the
    refunds of payments charged through that account."""
    return (Refund.objects.filter(gateway_reference=gateway_reference,
                                  payment__attempts__connector_account_id=connector_account_id)
            .values_list("id", flat=True).first())


def refund_apply_callback(*, refund_id: str, result: OperationResult, verified: bool) -> str:
    """Apply a refund callback: directly when its signature was verified, otherwise only as a hint that
    makes lipwa ask the gateway (refund_sync)."""
    if verified:
        refund = refund_apply_result(refund_id=refund_id, result=result)
        return f"signature verified; refund {refund.status}"
    refund = refund_sync(refund_id=refund_id)
    return f"confirmed by status query; refund {refund.status}"
