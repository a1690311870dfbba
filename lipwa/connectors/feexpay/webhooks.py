"""The webhook FeexPay POSTs to the shop's callback URL (PROVIDERS.md 5.4): verify, parse, acknowledge.

FeexPay documents no webhook authentication (5.4), so lipwa defines one (P, see `catalogue`): a hex
HMAC-SHA256 of the raw body keyed with the account's webhook secret, in `X-Webhook-Signature`. A callback whose
signature matches is VERIFIED and applied as it is; a missing or wrong signature is REJECTED. Nothing is lost by
refusing: the janitor's status queries (5.3) still settle the payment.

Deduplication is by the event's webhook id (P): the same id on every redelivery, so the core's dedupe drops
the copies. A body without one falls back to reference and status, which is equal for copies too.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from lipwa.common import crypto
from lipwa.common.phones import InvalidPhone, parse_phone
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    ChargeResult,
    InboundRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import catalogue
from .mapping import Webhook, WireFormatError, amount_money, json_type

log = logging.getLogger("lipwa.connectors.feexpay")

ACK_ACCEPTED = WebhookAck(status_code=200, body=catalogue.WEBHOOK_ACK_BODY)
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"status": "rejected"}')
_SIGNATURE_HEADER = catalogue.WEBHOOK_SIGNATURE_HEADER.lower()  # the core lower-cases header names
_ID_HEADER = catalogue.WEBHOOK_ID_HEADER.lower()


def webhook_signature(secret: str, body: bytes) -> str:
    return crypto.hmac_hex(secret, body, "sha256")


def webhook_verify(inbound: InboundRequest, secret: str) -> WebhookVerification:
    signature = inbound.headers.get(_SIGNATURE_HEADER, "").strip().lower()
    if not secret:
        log.warning("a FeexPay callback arrived for an account without a webhook secret; refused")
        return WebhookVerification.REJECTED
    if not signature:
        return WebhookVerification.REJECTED
    if crypto.constant_time_equals(signature, webhook_signature(secret, inbound.body)):
        return WebhookVerification.VERIFIED
    return WebhookVerification.REJECTED


def webhook_ack(accepted: bool) -> WebhookAck:
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    webhook = webhook_decode(inbound.body, header_webhook_id=inbound.headers.get(_ID_HEADER, ""))
    outcome = webhook.outcome
    payer, currency = _payer(webhook.phone_number)
    try:
        amount = amount_money(webhook.amount, currency) if currency else None
    except WireFormatError as exc:
        raise WebhookParseError(str(exc)) from None
    # A card payment is made through a link: lipwa knows the link (its gateway reference) before FeexPay's
    # transaction exists, so the link names the attempt and the transaction reference is kept for status queries.
    reference = webhook.ref_link or webhook.reference
    state = {"reference": webhook.reference} if webhook.ref_link else {}
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
        gateway_status=webhook.status if not webhook.reason else f"{webhook.status} {webhook.reason}",
        gateway_message=webhook.message or webhook.reason, amount=amount, payer=payer, connector_state=state,
        receipt_number=webhook.operator_reference or None,
    )
    if webhook.webhook_id:
        dedupe_key = f"webhook:{webhook.webhook_id}"
    else:
        dedupe_key = f"transaction:{webhook.reference}:{webhook.status.upper()}:{webhook.reason.upper()}"
    return WebhookParseResult(gateway_reference=reference, result=result, dedupe_key=dedupe_key)


def webhook_decode(body: bytes, *, header_webhook_id: str = "") -> Webhook:
    """Read the 5.4 payload; raise WebhookParseError naming exactly what is wrong."""
    try:
        # Numbers with a fraction are read as Decimal, so that an amount never passes through a float.
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WebhookParseError("the callback body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookParseError(f"the callback body is {json_type(data)}, not a JSON object")
    reference = data.get("reference")
    if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference).strip():
        raise WebhookParseError(f"reference must be a non-empty string, but it is {json_type(reference)}")
    status = data.get("status")
    if not isinstance(status, str) or not status.strip():
        raise WebhookParseError(f"status must be a non-empty string, but it is {json_type(status)}")
    amount = data.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | Decimal | str)):
        raise WebhookParseError(f"amount must be a number, but it is {json_type(amount)}")
    return Webhook(
        reference=str(reference).strip(), status=status.strip(), reason=_string(data, "reason"),
        message=_string(data, "responsemsg") or _string(data, "message"), amount=amount,
        phone_number=_phone_digits(data.get("phoneNumber")), callback_info=_string(data, "callback_info"),
        ref_link=_string(data, "ref_link"), webhook_id=_webhook_id(data, header_webhook_id),
        date=_string(data, "date"), network_name=_string(data, "reseau"),
        operator_reference=_string(data, "ref_operator"),
    )


def _webhook_id(data: dict, header_value: str) -> str:
    in_body = _string(data, catalogue.WEBHOOK_ID_FIELD)
    in_header = header_value.strip()
    if in_body and in_header and in_body != in_header:
        # The body is signed and the header is not: a mismatch means the header was tampered with or mixed up.
        raise WebhookParseError(f"{catalogue.WEBHOOK_ID_HEADER} does not match the body's "
                                f"{catalogue.WEBHOOK_ID_FIELD}")
    return in_body or in_header


def _string(data: dict, key: str) -> str:
    """Optional text fields: null and absent are empty; numbers are tolerated; objects and arrays are not."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise WebhookParseError(f"{key} must be a string, but it is {json_type(value)}")
    return str(value).strip()


def _phone_digits(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().lstrip("+")
    return text or None


def _payer(digits: str | None) -> tuple[str | None, str | None]:
    """(payer digits, the currency of the payer's country): the webhook names no currency (5.4), but every
    FeexPay country has one, so an amount can be read exactly once the country is known."""
    if not digits:
        return None, None
    try:
        phone = parse_phone("+" + digits)
    except InvalidPhone:
        return digits, None  # a masked or odd number is kept as sent; its amount cannot be placed
    currencies = {p.currency for p in catalogue.providers(phone.country) if p.country == phone.country}
    return phone.msisdn, (currencies.pop() if len(currencies) == 1 else None)
