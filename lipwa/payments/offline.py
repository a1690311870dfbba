"""Payments on offline rails (bank transfer): an operator confirms that the money arrived.

Nothing can query a bank transfer, so the payment waits in `requires_action` until a person with evidence
(the bank's reference for the incoming transfer) confirms it here, or reconciliation matches a statement
line. The confirmation is applied as an ordinary successful result through `attempt_apply_result`, so the
events, the ledger CHARGE and the state rules are exactly those of a gateway's success.

Which rails count as offline is decided by the account, not by gateway name: the method must be one that is
confirmed by hand and the connector account must reach nothing (`environment_of` → "offline"). Cash is
offline too but settles through its own cash-up flow, so it is not confirmed here.
"""

from __future__ import annotations

import logging

from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.fixed_sql import rows_select
from lipwa.common.money import Money
from lipwa.connectors.registry import connector_class
from lipwa.connectors.types import ChargeResult, ResultStatus

from .models import PaymentAttempt, PaymentIntent
from .results import attempt_apply_result
from .services import LOCKED_PAYMENT_RELATED
from .states import AttemptStatus, PaymentStatus

log = logging.getLogger("lipwa.payments")

OFFLINE_METHODS = frozenset({"bank_transfer"})
EVIDENCE_REFERENCE_MAX_CHARS = 100  # the receipt number's column
EVIDENCE_VALUE_MAX_CHARS = 500


def payment_confirm_offline(*, payment_id: str, operator: str, evidence: dict,
                            amount_minor: int | None = None) -> PaymentIntent:
    """Record that the customer's transfer arrived, with the operator's evidence; one transaction.

    `evidence["reference"]` (the bank's reference of the incoming transfer) is required and becomes the
    payment's receipt number. `amount_minor`, when given, is what the bank statement shows: a different
    amount is refused (`amount_mismatch`), because a partial or excess transfer needs a person's decision,
    not a success.
    """
    cleaned = _clean_evidence(evidence)
    if not operator or not operator.strip():
        raise InvalidRequest("say who confirms the payment", param="operator", code="operator_required")
    with transaction.atomic():
        # FOR UPDATE OF the payment alone: locking the joined connector account too would serialise every
        # payment of that account.
        found = rows_select(PaymentIntent, "t.id = %s", [payment_id], related=LOCKED_PAYMENT_RELATED, lock=True)
        if not found:
            raise NotFound(f"no payment {payment_id}", param="payment")
        payment = found[0]
        _check_offline(payment)
        if payment.status != PaymentStatus.REQUIRES_ACTION:
            raise Conflict(f"payment {payment.id} is {payment.status}; only a payment awaiting its transfer "
                           "(requires_action) can be confirmed", code="payment_not_confirmable")
        if amount_minor is not None and (isinstance(amount_minor, bool) or not isinstance(amount_minor, int)
                                         or amount_minor != payment.amount_minor):
            raise InvalidRequest(f"the transfer is {_money(amount_minor, payment.currency)} but payment "
                                 f"{payment.id} is for {Money(payment.amount_minor, payment.currency)}; "
                                 "a different amount needs review, not a confirmation",
                                 param="amount", code="amount_mismatch")
        awaiting = rows_select(PaymentAttempt, "t.payment_id = %s AND t.status = %s ORDER BY t.created_at DESC, "
                               "t.id DESC LIMIT 1", [payment.id, AttemptStatus.REQUIRES_ACTION.value], lock=True)
        attempt = awaiting[0] if awaiting else None
        if attempt is None:
            raise Conflict(f"payment {payment.id} has no attempt awaiting a transfer",
                           code="payment_not_confirmable")
        now = clock.now()
        state = {"confirmed_by": operator, "confirmed_at": now.isoformat(),
                 **{f"evidence_{key}": value for key, value in cleaned.items()}}
        audit_record(merchant_id=payment.merchant_id, actor=operator, action="payment.manual_confirm",
                     object_type="payment", object_id=payment.id,
                     details={"attempt": attempt.id, "evidence": cleaned, "amount": payment.amount_minor,
                              "currency": payment.currency})
        # Both rows are locked above, in the documented order: applying the result need not read them again.
        payment = attempt_apply_result(attempt_id=attempt.id, source="operator", locked=(payment, attempt),
                                       result=ChargeResult(
            ResultStatus.SUCCEEDED, gateway_reference=attempt.gateway_reference, receipt_number=cleaned["reference"],
            amount=Money(payment.amount_minor, payment.currency), gateway_status="confirmed_by_operator",
            gateway_message=f"confirmed by {operator}", connector_state=state))
        if payment.status != PaymentStatus.SUCCEEDED:
            # attempt_apply_result refused it (e.g. flagged for review); nothing of ours may commit alone.
            raise Conflict(f"payment {payment.id} could not be confirmed; it is flagged for review",
                           code="payment_not_confirmable")
    log.info("payment %s confirmed by %s (reference %s)", payment.id, operator, cleaned["reference"])
    return payment


def _clean_evidence(evidence: object) -> dict[str, str]:
    if not isinstance(evidence, dict) or not str(evidence.get("reference") or "").strip():
        raise InvalidRequest("evidence must include the bank's reference of the incoming transfer",
                             param="evidence.reference", code="evidence_required")
    cleaned = {str(key): str(value).strip() for key, value in evidence.items() if value not in (None, "")}
    if len(cleaned["reference"]) > EVIDENCE_REFERENCE_MAX_CHARS:
        raise InvalidRequest(f"the reference must be at most {EVIDENCE_REFERENCE_MAX_CHARS} characters",
                             param="evidence.reference")
    if any(len(value) > EVIDENCE_VALUE_MAX_CHARS for value in cleaned.values()):
        raise InvalidRequest(f"evidence values must be at most {EVIDENCE_VALUE_MAX_CHARS} characters",
                             param="evidence")
    return cleaned


def _check_offline(payment: PaymentIntent) -> None:
    environment = connector_class(payment.provider).environment_of(payment.connector_account.get_credentials())
    if payment.method not in OFFLINE_METHODS or environment != "offline":
        raise Conflict(f"payment {payment.id} is a {payment.method} payment through {payment.provider}; only "
                       "offline payments (bank transfer) are confirmed by an operator, the others by their "
                       "gateway", code="payment_not_offline")


def _money(amount_minor: object, currency: str) -> str:
    if isinstance(amount_minor, int) and not isinstance(amount_minor, bool):
        return str(Money(amount_minor, currency))
    return repr(amount_minor)
