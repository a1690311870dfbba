"""Payments lipwa never asked for: money a statement shows arrived (a paybill deposit made without a prompt, a
bank transfer quoting no reference) that an operator attaches to what it paid for, e.g. an invoice.

No gateway is called: the statement line is the evidence. The payment is created, its attempt started and the
statement's success applied in one transaction, through the ordinary result path, so the CHARGE, the events,
the merchant's webhooks and an invoice's payment are exactly those of any other success.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest
from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.merchants.models import Merchant

from .events import event_record
from .models import METHODS, PaymentIntent
from .results import attempt_apply_result
from .routing import route_payment
from .services import _attempt_start, _validate_amount
from .states import PaymentStatus

log = logging.getLogger("lipwa.payments")

RECEIPT_MAX_CHARS = 100  # the receipt number's column


def payment_record_received(*, merchant: Merchant, mode: str, method: str, provider: str, amount_minor: int,
                            currency: str, receipt_number: str, operator: str, evidence: dict[str, str],
                            metadata: dict | None = None, merchant_reference: str = "", description: str = "",
                            customer: dict | None = None) -> PaymentIntent:
    """A succeeded payment for money that already reached the merchant's `provider` account; one transaction.
    Must run inside the caller's transaction when the caller records what the payment is for (a match)."""
    money = _validate_amount(amount_minor, currency)
    if method not in dict(METHODS):
        raise InvalidRequest(f"method must be one of {', '.join(dict(METHODS))}", param="method")
    receipt = (receipt_number or "").strip()
    if not receipt or len(receipt) > RECEIPT_MAX_CHARS:
        raise InvalidRequest(f"a received payment needs its receipt or reference (1 to {RECEIPT_MAX_CHARS} "
                             "characters)", param="receipt_number", code="evidence_required")
    if not operator or not operator.strip():
        raise InvalidRequest("say who records the payment", param="operator", code="operator_required")
    # The account the money reached: the merchant's account of that gateway (its limits do not apply to money
    # that has already arrived, so the route is asked only for the account).
    route = route_payment(merchant=merchant, mode=mode, method=method, amount=money, provider=provider, phone=None)
    now = clock.now()
    with transaction.atomic():
        payment = PaymentIntent(
            merchant=merchant, mode=mode, amount_minor=money.amount_minor, currency=currency, method=method,
            provider=route.account.connector, connector_account=route.account, fee_minor=route.fee_minor,
            customer=customer or {}, merchant_reference=merchant_reference[:100], description=description[:500],
            metadata=metadata or {}, expires_at=now + timedelta(hours=1), created_at=now, updated_at=now)
        payment.save(force_insert=True)
        event_record(payment, "payment.created")
        attempt = _attempt_start(payment, now)
        audit_record(merchant_id=merchant.id, actor=operator, action="payment.record_received",
                     object_type="payment", object_id=payment.id,
                     details={"attempt": attempt.id, "evidence": evidence, "amount": money.amount_minor,
                              "currency": currency, "receipt": receipt})
        payment = attempt_apply_result(attempt_id=attempt.id, source="operator", locked=(payment, attempt),
                                       result=ChargeResult(
            ResultStatus.SUCCEEDED, receipt_number=receipt, amount=money, gateway_status="recorded_from_statement",
            gateway_message=f"received without a request; recorded by {operator}",
            connector_state={"recorded_by": operator, **{f"evidence_{k}": v for k, v in evidence.items()}}))
        if payment.status != PaymentStatus.SUCCEEDED:
            raise Conflict(f"the received payment could not be recorded ({payment.status})",
                           code="payment_not_recordable")
    log.info("payment %s recorded as received by %s (receipt %s)", payment.id, operator, receipt)
    return payment
