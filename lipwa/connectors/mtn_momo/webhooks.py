"""The request-to-pay callback MTN sends to our X-Callback-Url (PROVIDERS.md 2.6): verify, parse, acknowledge.

MTN signs nothing and sends no auth header, so every callback is UNVERIFIABLE: a hint that the core confirms
with a status query before it counts. The unguessable per-account token in the callback path is checked by the
core before the body reaches this module.

The body is the status body (2.5) and does **not** carry the X-Reference-Id the core matches on. The connector
therefore sends lipwa's attempt id as `externalId`, and this module recomputes the X-Reference-Id from it with
the same derivation the charge used (`mapping.x_reference_id`). A callback whose externalId is not one of ours
yields a reference no attempt carries, and the core keeps it as unmatched.
"""

from __future__ import annotations

import json
from decimal import Decimal

from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    ChargeResult,
    InboundRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from .mapping import REQUEST_TO_PAY, TransactionStatus, WireFormatError, json_type, status_outcome, x_reference_id

# MTN reads only the HTTP status; anything but 2xx counts as a failed delivery (2.6).
ACK_ACCEPTED = WebhookAck(status_code=200, body=b"{}")
ACK_REJECTED = WebhookAck(status_code=400, body=b'{"error": "rejected"}')


def webhook_verify(inbound: InboundRequest) -> WebhookVerification:
    return WebhookVerification.UNVERIFIABLE


def webhook_ack(accepted: bool) -> WebhookAck:
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest) -> WebhookParseResult:
    callback = callback_decode(inbound.body)
    if not callback.external_id:
        raise WebhookParseError("the callback has no externalId, so it cannot be matched to a request to pay "
                                "(MTN's callback does not carry the X-Reference-Id)")
    reference = x_reference_id(REQUEST_TO_PAY, callback.external_id)
    outcome = status_outcome(callback.status, callback.reason_code)
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
        gateway_status=_gateway_status(callback), gateway_message=callback.reason_message,
        receipt_number=callback.financial_transaction_id or None, amount=callback.amount,
        payer=callback.party_id or None,
    )
    # The status and reason are part of the key so that a later, different answer about the same request is not
    # discarded as a duplicate of the first.
    dedupe_key = f"rtp:{reference}:{callback.status}:{callback.reason_code}"
    return WebhookParseResult(gateway_reference=reference, result=result, dedupe_key=dedupe_key)


def callback_decode(body: bytes) -> TransactionStatus:
    """Read the callback JSON; raise WebhookParseError naming exactly what is wrong."""
    try:
        # Numbers with a fraction are read as Decimal, so that an amount sent as a number never becomes a float.
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WebhookParseError("the callback body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookParseError(f"the callback body is {json_type(data)}, not a JSON object")
    if "status" not in data:
        raise WebhookParseError("the callback has no status; this is not an MTN MoMo request-to-pay callback")
    if "payee" in data and "payer" not in data:
        raise WebhookParseError("the callback names a payee, not a payer: it is about a transfer or refund, "
                                "which lipwa settles by status queries")
    try:
        return TransactionStatus.from_json(data)
    except WireFormatError as exc:
        raise WebhookParseError(f"the callback's {exc}") from None


def _gateway_status(callback: TransactionStatus) -> str:
    return f"{callback.status}/{callback.reason_code}" if callback.reason_code else callback.status
