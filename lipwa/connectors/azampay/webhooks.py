"""The checkout callback AzamPay POSTs to the merchant (PROVIDERS.md 4.6): verify, parse, acknowledge.

AzamPay documents no signature. One SDK verifies an RSA-SHA256 signature over `utilityref +
externalreference + transactionstatus + operator` with a key from `/azampay/v1/public-key`, but that scheme is
unconfirmed (4.6, A), so nothing here claims a callback is VERIFIED: every callback is UNVERIFIABLE, a hint
that the core confirms with a status query before it counts. The unguessable per-account token in the
callback path is checked by the core before the body reaches this module.

The callback names the charge by `utilityref`, which is our own `externalId`; that is also the attempt's
gateway reference (see `connector.py`), so a callback always finds its attempt, even one whose checkout
answer was lost.
"""

from __future__ import annotations

import json
from decimal import Decimal

from lipwa.common.money import Money
from lipwa.common.phones import InvalidPhone, parse_phone
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    ChargeResult,
    InboundRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from .mapping import CURRENCY, Callback, status_outcome

ACK_ACCEPTED = WebhookAck(status_code=200, body=b'{"success": true, "message": "Received"}')
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"success": false, "message": "Rejected"}')
# Optional fields we read. A number is taken as its digits (a receipt or reference could be sent as one); an
# object, array or boolean is refused. Fields we do not read (submerchantAcc, additionalProperties) are not
# checked, so that a change in them can never make a real callback unreadable.
_OPTIONAL_TEXT = ("message", "reference", "operator", "fspReferenceId", "msisdn")


def webhook_verify(inbound: InboundRequest) -> WebhookVerification:
    return WebhookVerification.UNVERIFIABLE


def webhook_ack(accepted: bool) -> WebhookAck:
    """AzamPay wants a quick 200 (4.6); the body is not documented and follows lipwa's convention."""
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    callback = callback_decode(inbound.body)
    outcome = status_outcome(callback.transaction_status, callback.message)
    state = {key: value for key, value in (("transaction_id", callback.reference),
                                           ("provider", callback.operator)) if value}
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=callback.utilityref,
        gateway_status=callback.transaction_status, gateway_message=callback.message,
        receipt_number=callback.fsp_reference_id or None, amount=_amount(callback.amount),
        payer=_payer(callback.msisdn), connector_state=state,
    )
    # The status is part of the key so that a later, different answer about the same checkout is not discarded
    # as a duplicate of the first.
    dedupe_key = f"azampay:{callback.utilityref}:{callback.transaction_status.lower()}"
    return WebhookParseResult(gateway_reference=callback.utilityref, result=result, dedupe_key=dedupe_key)


def callback_decode(body: bytes) -> Callback:
    """Read the flat callback object; raise WebhookParseError naming exactly what is wrong."""
    try:
        # Numbers with a fraction are read as Decimal, so that `"amount": 1000.00` never passes through a float.
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WebhookParseError("the callback body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookParseError(f"the callback body is {_json_type(data)}, not a JSON object")
    utilityref = _string(data, "utilityref")
    status = _string(data, "transactionstatus")
    texts = {key: _optional_text(data, key) for key in _OPTIONAL_TEXT}
    return Callback(utilityref=utilityref, transaction_status=status, message=texts["message"],
                    reference=texts["reference"], operator=texts["operator"], msisdn=texts["msisdn"],
                    amount=_raw_amount(data.get("amount")), fsp_reference_id=texts["fspReferenceId"])


def _string(data: dict, key: str) -> str:
    """A required string field."""
    value = data.get(key)
    if not isinstance(value, str):
        raise WebhookParseError(f"callback {key} must be a string, but it is {_json_type(value)}")
    if not value.strip():
        raise WebhookParseError(f"callback {key} is empty")
    return value.strip()


def _optional_text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WebhookParseError(f"callback {key} must be a string, but it is {_json_type(value)}")
    return str(value).strip()


def _raw_amount(value: object) -> Decimal | int | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise WebhookParseError(f"callback amount must be a string or number, but it is {_json_type(value)}")
    _amount(value)  # refuse an unreadable amount here, where the message can say so
    return value


def _amount(value: Decimal | int | str | None) -> Money | None:
    """`"1000"`, `1000` or `"1000.00"` shillings (4.6: a string amount) → exact TZS minor units."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Money.from_major(value.strip() if isinstance(value, str) else value, CURRENCY)
    except (ArithmeticError, ValueError):
        raise WebhookParseError(f"callback amount {str(value)[:20]!r} is not an amount in TZS") from None
    if amount.amount_minor <= 0:
        raise WebhookParseError(f"callback amount {str(value)[:20]!r} is not positive")
    return amount


def _payer(msisdn: str) -> str | None:
    """`255747123456` or `0747123456` (SDKs disagree, 4.3) → E.164 digits; anything else is kept as sent."""
    if not msisdn:
        return None
    try:
        return parse_phone(msisdn, "TZ").msisdn
    except InvalidPhone:
        return msisdn


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for error messages that an operator can match to the body."""
    if value is None:
        return "missing or null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    names = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)
