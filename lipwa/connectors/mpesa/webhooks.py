"""The STK callback Daraja POSTs to our CallBackURL (PROVIDERS.md 1.5): verify, parse, acknowledge.

Daraja signs nothing, so every callback is UNVERIFIABLE: a hint that the core confirms with an STK query
before it counts. The unguessable per-account token in the callback path is checked by the core before the
body reaches this module. Safaricom's source addresses are not checked either: the published list changes,
and PROVIDERS.md 1.5 advises to log and query rather than refuse.
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

from .mapping import CURRENCY, StkCallback, WireFormatError, normalize_result_code, result_code_outcome

ACK_ACCEPTED = WebhookAck(status_code=200, body=b'{"ResultCode": 0, "ResultDesc": "Accepted"}')
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"ResultCode": 1, "ResultDesc": "Rejected"}')


def webhook_verify(inbound: InboundRequest) -> WebhookVerification:
    return WebhookVerification.UNVERIFIABLE


def webhook_ack(accepted: bool) -> WebhookAck:
    """Daraja reads nothing but the HTTP status (1.5); the body follows the common convention."""
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    callback = stk_callback_decode(inbound.body)
    outcome = result_code_outcome(callback.result_code)
    state = {"merchant_request_id": callback.merchant_request_id} if callback.merchant_request_id else {}
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=callback.checkout_request_id,
        gateway_status=str(callback.result_code), gateway_message=callback.result_desc,
        receipt_number=callback.receipt_number, amount=callback.amount, payer=callback.phone_number,
        connector_state=state,
    )
    # The result code is part of the key so that a later, different answer about the same prompt is not
    # discarded as a duplicate of the first.
    dedupe_key = f"stk:{callback.checkout_request_id}:{callback.result_code}"
    return WebhookParseResult(gateway_reference=callback.checkout_request_id, result=result, dedupe_key=dedupe_key)


def stk_callback_decode(body: bytes) -> StkCallback:
    """Read `{"Body": {"stkCallback": {…}}}`; raise WebhookParseError naming exactly what is wrong."""
    try:
        # Numbers with a fraction are read as Decimal, so that `"Amount": 1.00` never passes through a float.
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WebhookParseError("the callback body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookParseError(f"the callback body is {_json_type(data)}, not a JSON object")
    if not isinstance(data.get("Body"), dict):
        raise WebhookParseError(f"the callback's Body is {_json_type(data.get('Body'))}, not an object; "
                                "this is not an STK callback")
    stk = data["Body"].get("stkCallback")
    if not isinstance(stk, dict):
        raise WebhookParseError(f"Body.stkCallback is {_json_type(stk)}, not an object; "
                                "this is not an STK callback")
    checkout_request_id = _string(stk, "CheckoutRequestID", required=True)
    if "ResultCode" not in stk:
        raise WebhookParseError("stkCallback.ResultCode is missing")
    try:
        result_code = normalize_result_code(stk["ResultCode"])
    except WireFormatError as exc:
        raise WebhookParseError(f"stkCallback.{exc}") from None
    items = _metadata_items(stk.get("CallbackMetadata"))
    return StkCallback(
        merchant_request_id=_string(stk, "MerchantRequestID"), checkout_request_id=checkout_request_id,
        result_code=result_code, result_desc=_string(stk, "ResultDesc"),
        amount=_amount(items.get("Amount")), receipt_number=_item_text(items, "MpesaReceiptNumber"),
        phone_number=_payer(items.get("PhoneNumber")), transaction_date=_item_text(items, "TransactionDate"),
        metadata=items,
    )


def _string(stk: dict, key: str, *, required: bool = False) -> str:
    value = stk.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise WebhookParseError(f"stkCallback.{key} must be a string, but it is {_json_type(value)}")
    if required and not value.strip():
        raise WebhookParseError(f"stkCallback.{key} is empty")
    return value.strip()


def _metadata_items(metadata: object) -> dict[str, object]:
    """CallbackMetadata.Item by Name, never by position (1.5). Items without a Value (the old `Balance`) are
    left out; failure callbacks have no CallbackMetadata at all."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not isinstance(metadata.get("Item", []), list):
        raise WebhookParseError("stkCallback.CallbackMetadata must be an object with an Item list")
    items: dict[str, object] = {}
    for index, item in enumerate(metadata.get("Item", [])):
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise WebhookParseError(f"CallbackMetadata.Item[{index}] must be an object with a string Name")
        if item.get("Value") is not None:
            items[item["Name"]] = item["Value"]
    return items


def _amount(value: object) -> Money | None:
    """`1`, `1.00` or `"1.00"` whole shillings → exact KES minor units."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise WebhookParseError(f"CallbackMetadata Amount must be a number, but it is {_json_type(value)}")
    try:
        amount = Money.from_major(value, CURRENCY)
    except (ArithmeticError, ValueError):
        raise WebhookParseError(f"CallbackMetadata Amount {str(value)[:20]!r} is not an amount in KES") from None
    if amount.amount_minor <= 0:
        raise WebhookParseError(f"CallbackMetadata Amount {str(value)[:20]!r} is not positive")
    return amount


def _payer(value: object) -> str | None:
    """PhoneNumber is a number such as 254708374149 (1.5); a masked or hashed value is kept as sent."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    try:
        return parse_phone(text, "KE").msisdn
    except InvalidPhone:
        return text or None


def _item_text(items: dict[str, object], name: str) -> str | None:
    value = items.get(name)
    return None if value is None else str(value).strip() or None


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
