"""The status update Paynow POSTs to our `resulturl` (PROVIDERS.md 7.5): verify, parse, acknowledge.

The update is form-encoded (`reference`, `amount`, `paynowreference`, `pollurl`, `status`, `hash`) and signed
with the integration key (7.4), so it can be verified:

- a missing or wrong hash is REJECTED: anyone can POST to a URL, only Paynow knows the key;
- a correct hash on a final status (Paid, Cancelled, Failed, …) is VERIFIED and applied as it stands;
- a correct hash on a status that is not final (Created, Sent) is declared UNVERIFIABLE on purpose. Such an
  update carries nothing a poll does not, and applying it would move a web-checkout or InnBucks payment from
  `requires_action` to `processing` and drop its next action (the redirect, the code) while the customer still
  needs it. As a hint, it makes the core poll instead, and the poll keeps the next action (see connector).
  Paynow also recommends confirming updates by polling (7.5).
"""

from __future__ import annotations

from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import ChargeResult, InboundRequest, WebhookAck, WebhookParseResult, WebhookVerification

from .mapping import (
    FINAL_STATUSES,
    FormMessage,
    StatusMessage,
    WireFormatError,
    normalize_status,
    status_outcome,
)
from .signing import hash_matches

# Paynow reads nothing but the HTTP status of our answer (A: 7.5 documents no body).
ACK_ACCEPTED = WebhookAck(status_code=200, body=b"OK", content_type="text/plain")
ACK_REJECTED = WebhookAck(status_code=400, body=b"Rejected", content_type="text/plain")


def webhook_verify(inbound: InboundRequest, integration_key: str) -> WebhookVerification:
    try:
        message = FormMessage.decode(inbound.body)
    except WireFormatError:
        return WebhookVerification.REJECTED  # no readable hash, and the hash is required
    if not hash_matches(message.pairs, integration_key):
        return WebhookVerification.REJECTED
    status = normalize_status(message.text("status"))
    return WebhookVerification.VERIFIED if status in FINAL_STATUSES else WebhookVerification.UNVERIFIABLE


def webhook_ack(accepted: bool) -> WebhookAck:
    return ACK_ACCEPTED if accepted else ACK_REJECTED


def webhook_parse(inbound: InboundRequest, currency: str) -> WebhookParseResult:
    """Read a status update; `currency` is the integration's, since Paynow never names it (7.2)."""
    update = status_update_decode(inbound.body)
    outcome = status_outcome(update.status)
    try:
        amount = update.money(currency)
    except WireFormatError as exc:
        raise WebhookParseError(f"status update {exc}") from None
    state = {key: value for key, value in (("pollurl", update.poll_url),
                                           ("paynow_reference", update.paynow_reference)) if value}
    result = ChargeResult(
        status=outcome.status, failure_code=outcome.failure_code, gateway_reference=update.reference,
        gateway_status=update.status, receipt_number=update.paynow_reference or None, amount=amount,
        connector_state=state,
    )
    # The status is part of the key: Paynow sends an update on every change (Sent → Paid → Delivered, 7.5),
    # and a later, different update about the same transaction must not be discarded as a duplicate.
    dedupe_key = f"status:{update.reference}:{update.paynow_reference}:{normalize_status(update.status)}"
    return WebhookParseResult(gateway_reference=update.reference, result=result, dedupe_key=dedupe_key)


def status_update_decode(body: bytes) -> StatusMessage:
    """Read the form body; raise WebhookParseError naming exactly what is wrong."""
    try:
        message = FormMessage.decode(body)
    except WireFormatError as exc:
        raise WebhookParseError(f"the status update is not a Paynow form body: {exc}") from None
    if not message.pairs:
        raise WebhookParseError("the status update is empty")
    try:
        return StatusMessage.from_message(message)
    except WireFormatError as exc:
        raise WebhookParseError(f"the status update's {exc}; this is not a Paynow status update") from None
