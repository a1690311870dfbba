"""The callback Airtel POSTs to the app's callback URL (PROVIDERS.md §3.6): verify, parse, acknowledge.

Airtel signs a callback only when "authenticated callback" is enabled for the app: the body then carries a
top-level `hash`, base64(HMAC-SHA256(callback secret, compact JSON of the `transaction` object)). With a
callback secret configured, a callback whose hash is missing or wrong is REJECTED, and a matching one is
VERIFIED; without one, every callback is UNVERIFIABLE, a hint the core confirms with an enquiry. The hash is
checked against the raw `transaction` text and against its compact re-serialisation (see
`signing.hash_candidates`), because Airtel's hashed form and the body it sends need not be byte-identical.

The callback's status is `TS` or `TF` and carries no response code, so a TF says that a payment failed but
not why. It is therefore read as UNKNOWN: the core enquires, and the enquiry's response code gives the exact
reason (insufficient funds, wrong PIN, refused …) instead of a generic decline that could never be corrected.
"""

from __future__ import annotations

import json
from json.decoder import JSONDecodeError

from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    ChargeResult,
    InboundRequest,
    ResultStatus,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import signing
from .mapping import COLLECTION_CODES, FAILED_STATUS, UNKNOWN, Callback, transaction_outcome

ACK_ACCEPTED = WebhookAck(status_code=200, body=b'{"status": "received"}')
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"status": "rejected"}')


def webhook_verify(inbound: InboundRequest, callback_secret: str) -> WebhookVerification:
    if not callback_secret:
        return WebhookVerification.UNVERIFIABLE
    try:
        data, raw_transaction = _load(inbound.body)
    except WebhookParseError:
        return WebhookVerification.REJECTED
    presented = data.get("hash")
    transaction = data.get("transaction")
    if not isinstance(presented, str) or not presented.strip() or not isinstance(transaction, dict):
        return WebhookVerification.REJECTED  # a secret is configured, so the hash is required
    candidates = signing.hash_candidates(raw_transaction, transaction)
    if signing.hash_matches(callback_secret, presented, candidates):
        return WebhookVerification.VERIFIED
    return WebhookVerification.REJECTED


def webhook_ack(accepted: bool) -> WebhookAck:
    """Airtel reads nothing but the HTTP status (§3.6: "Reply HTTP 200")."""
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    callback = callback_decode(inbound.body)
    if callback.status_code == FAILED_STATUS:
        outcome = UNKNOWN  # see the module docstring: the enquiry says why
    else:
        outcome = transaction_outcome(callback.status_code, "", COLLECTION_CODES, "callback")
    succeeded = outcome.status is ResultStatus.SUCCEEDED
    receipt = callback.airtel_money_id or None
    state = {"airtel_money_id": callback.airtel_money_id} if callback.airtel_money_id else {}
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=callback.transaction_id,
        gateway_status=callback.status_code, gateway_message=callback.message,
        receipt_number=receipt if succeeded else None, connector_state=state,
    )
    # The status is part of the key so that a later, different answer about the same payment is not
    # discarded as a duplicate of the first.
    dedupe_key = f"airtel:{callback.transaction_id}:{callback.status_code}"
    return WebhookParseResult(gateway_reference=callback.transaction_id, result=result, dedupe_key=dedupe_key)


def callback_decode(body: bytes) -> Callback:
    """Read `{"transaction": {id, message, status_code, airtel_money_id}, "hash"?}` precisely."""
    data, _ = _load(body)
    transaction = data.get("transaction")
    if not isinstance(transaction, dict):
        raise WebhookParseError(f"the callback's transaction is {_json_type(transaction)}, not an object; "
                                "this is not an Airtel callback")
    status_code = _string(transaction, "status_code", required=True).upper()
    presented = data.get("hash")
    if presented is not None and not isinstance(presented, str):
        raise WebhookParseError(f"the callback's hash must be a string, but it is {_json_type(presented)}")
    return Callback(transaction_id=_string(transaction, "id", required=True), status_code=status_code,
                    message=_string(transaction, "message"), airtel_money_id=_string(transaction, "airtel_money_id"),
                    hash=presented)


def raw_member(body: str, name: str) -> tuple[dict, str | None]:
    """Parse a JSON object and also return the exact source text of its top-level member `name`.

    The hash is over Airtel's own serialisation of `transaction`; its raw text in the body is the closest
    thing to it we can see (PROVIDERS.md §3.6: "verify against the raw transaction substring when possible").
    """
    decoder = json.JSONDecoder()
    start = _skip(body, 0)
    data, end = decoder.raw_decode(body, start)
    if _skip(body, end) != len(body):
        raise JSONDecodeError("extra data after the object", body, end)
    if not isinstance(data, dict):
        return data, None
    position, found = _skip(body, start + 1), None
    while position < len(body) and body[position] != "}":
        key, position = json.decoder.scanstring(body, position + 1)
        position = _skip(body, _skip(body, position) + 1)  # past the colon
        _, value_end = decoder.raw_decode(body, position)
        if key == name:
            found = body[position:value_end]  # a later duplicate key wins, as it does in json.loads
        position = _skip(body, value_end)
        if body[position] == ",":
            position = _skip(body, position + 1)
    return data, found


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


def _load(body: bytes) -> tuple[dict, bytes | None]:
    try:
        text = body.decode("utf-8")
        data, raw = raw_member(text, "transaction")
    except (UnicodeDecodeError, ValueError, RecursionError, IndexError):
        raise WebhookParseError("the callback body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookParseError(f"the callback body is {_json_type(data)}, not a JSON object")
    return data, raw.encode("utf-8") if raw is not None else None


def _string(transaction: dict, key: str, *, required: bool = False) -> str:
    value = transaction.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise WebhookParseError(f"transaction.{key} must be a string, but it is {_json_type(value)}")
    if required and not value.strip():
        raise WebhookParseError(f"transaction.{key} is empty")
    return value.strip()


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for error messages that an operator can match to the body."""
    if value is None:
        return "missing or null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)
