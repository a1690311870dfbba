"""Paystack's webhooks (PROVIDERS.md 6.7): verify the HMAC-SHA512 signature, parse charge events, acknowledge.

Every webhook is signed: `x-paystack-signature` is the lower-case hex HMAC-SHA512 of the raw body, keyed with
the integration's secret key. A missing or wrong signature is REJECTED, and the body is never parsed before
the signature is checked over the exact bytes received.

Charge events carry a charge's outcome; refund events (`refund.processed`, `refund.failed`) carry a refund's,
which the core applies to the refund with that Paystack id (and confirms with `refund_sync` when unsigned).
"""

from __future__ import annotations

import json
from decimal import Decimal

from lipwa.common import crypto
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    ChargeResult,
    InboundRequest,
    OperationResult,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from .mapping import Refund, Transaction, WireFormatError, refund_outcome, transaction_outcome

SIGNATURE_HEADER = "x-paystack-signature"
# Paystack reads only the status code and retries anything but 200 (6.7).
ACK_ACCEPTED = WebhookAck(status_code=200, body=b'{"received": true}')
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"received": false}')


def signature(secret_key: str, body: bytes) -> str:
    """`x-paystack-signature` for `body`: hex HMAC-SHA512 keyed with the secret key (6.7)."""
    return crypto.hmac_hex(secret_key, body, "sha512")


def webhook_verify(inbound: InboundRequest, secret_key: str) -> WebhookVerification:
    sent = inbound.headers.get(SIGNATURE_HEADER, "").strip().lower()
    if not sent or not secret_key:
        return WebhookVerification.REJECTED  # Paystack always signs; an unsigned body is not from Paystack
    if crypto.constant_time_equals(sent, signature(secret_key, inbound.body)):
        return WebhookVerification.VERIFIED
    return WebhookVerification.REJECTED


def webhook_ack(accepted: bool) -> WebhookAck:
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    event, data = _event(inbound.body)
    if event in ("refund.processed", "refund.failed", "refund.pending", "refund.processing"):
        return _refund_event(event, data)
    if event != "charge.success":
        raise WebhookParseError(f"event {event!r} is not a charge outcome lipwa applies; only charge.success is "
                                "(Paystack sends no webhook for failed charges, PROVIDERS.md 6.7)")
    try:
        transaction = Transaction.from_json(data)
        amount = transaction.money()
    except WireFormatError as exc:
        raise WebhookParseError(f"{event} data: {exc}") from None
    if transaction.status != "success":
        raise WebhookParseError(f"charge.success carries data.status {transaction.status!r}, not 'success'")
    if amount is None:
        raise WebhookParseError(f"charge.success has no usable amount and currency "
                                f"({transaction.amount!r} {transaction.currency!r})")
    outcome = transaction_outcome(transaction.status, transaction.gateway_response)
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=transaction.reference,
        gateway_status=transaction.status, gateway_message=transaction.gateway_response,
        receipt_number=transaction.receipt_number or None, amount=amount,
        connector_state=authorization_state(transaction),
    )
    # Paystack retries and may deliver twice (6.7): the event and the transaction id name one delivery.
    dedupe_key = f"{event}:{transaction.id or transaction.reference}"
    return WebhookParseResult(gateway_reference=transaction.reference, result=result, dedupe_key=dedupe_key)


def authorization_state(transaction: Transaction) -> dict[str, str]:
    """What a later saved-card charge needs (6.5): a reusable authorization code and the customer's email."""
    authorization = transaction.authorization
    if transaction.status != "success" or authorization is None or not authorization.reusable:
        return {}
    state = {"authorization_code": authorization.authorization_code}
    if transaction.customer_email:
        state["customer_email"] = transaction.customer_email
    if authorization.last4:
        state["card_last4"] = authorization.last4
    if authorization.brand:
        state["card_brand"] = authorization.brand
    return state


def _event(body: bytes) -> tuple[str, dict]:
    try:
        # Fractions are read as Decimal so that a malformed amount is refused rather than rounded.
        payload = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WebhookParseError("the webhook body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookParseError("the webhook body is not a JSON object")
    event = payload.get("event")
    if not isinstance(event, str) or not event.strip():
        raise WebhookParseError("the webhook has no event name; this is not a Paystack webhook")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise WebhookParseError(f"{event} has no data object")
    return event.strip(), data


def _refund_event(event: str, data: dict) -> WebhookParseResult:
    """A refund's outcome (6.6, 6.7), for the refund whose Paystack id lipwa stored when it asked for it."""
    try:
        refund = Refund.from_json(data)
    except WireFormatError as exc:
        raise WebhookParseError(f"{event} data: {exc}") from None
    outcome = refund_outcome(refund.status)
    operation = OperationResult(status=outcome.status, failure_code=outcome.failure_code,
                                gateway_reference=refund.id, gateway_status=refund.status,
                                gateway_message=f"{event} for transaction {_refund_transaction(data)}")
    return WebhookParseResult(gateway_reference=refund.id, result=None, kind="refund", operation=operation,
                              dedupe_key=f"refund:{refund.id}:{refund.status}")


def _refund_transaction(data: dict) -> str:
    transaction = data.get("transaction")
    if isinstance(transaction, dict):
        return str(transaction.get("reference") or transaction.get("id") or "")
    return str(data.get("transaction_reference") or transaction or "")
