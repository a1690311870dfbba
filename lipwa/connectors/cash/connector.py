"""Cash on delivery: a rider or agent collects the money in person.

There is no gateway. A charge only says what the customer must do (pay the rider, cash in hand); the
payment stays `requires_action` until a collection is recorded with proof through `lipwa.cash.services`,
which applies a SUCCEEDED result to the attempt as an operator. Status queries have nothing to ask, so
`charge_sync` repeats REQUIRES_ACTION: the janitor must never fail a cash payment, only lipwa's expiry ends an
unpaid one. There are no callbacks either; anything arriving at /hooks/cash/ is refused.
"""

from __future__ import annotations

import hashlib

from lipwa.common.money import CURRENCY_EXPONENTS
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorInputError, WebhookParseError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from .credentials import CREDENTIAL_FIELDS

NEXT_ACTION_TYPE = "cash_on_delivery"
# Crockford base32 without I, L, O, U: a rider reads the reference aloud or writes it on a receipt book.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_CHARS = 8


def cash_reference(attempt_id: str) -> str:
    """A short human reference ("COD-7K2M9QXD") derived from the attempt id: stable, so a repeated charge of
    the same attempt names the same reference, and 40 bits, so references of one account do not collide in
    practice (the attempt's unique gateway reference per account catches the rare collision)."""
    value = int.from_bytes(hashlib.sha256(attempt_id.encode()).digest()[:5], "big")
    chars = []
    for _ in range(_REFERENCE_CHARS):
        value, index = divmod(value, 32)
        chars.append(_REFERENCE_ALPHABET[index])
    return "COD-" + "".join(reversed(chars))


class CashConnector(Connector):
    id = "cash"
    display_name = "Cash on delivery"
    methods = frozenset({"cash"})
    currencies = frozenset(CURRENCY_EXPONENTS)
    # Cash works wherever a rider can go; the list is every African country plus the card-currency markets,
    # because countries only filter mobile-money routing by the payer's number, never cash.
    countries = frozenset({
        "DZ", "AO", "BJ", "BW", "BF", "BI", "CV", "CM", "CF", "TD", "KM", "CG", "CD", "CI", "DJ", "EG", "GQ",
        "ER", "SZ", "ET", "GA", "GM", "GH", "GN", "GW", "KE", "LS", "LR", "LY", "MG", "MW", "ML", "MR", "MU",
        "MA", "MZ", "NA", "NE", "NG", "RW", "ST", "SN", "SC", "SL", "SO", "ZA", "SS", "SD", "TZ", "TG", "TN",
        "UG", "ZM", "ZW", "US", "GB", "FR", "DE", "AE", "CN",
    })
    routing_priority = 50
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "cash"
    # Deliveries take days, not minutes: the rider has 3 days to collect before lipwa expires the payment.
    default_expires_in_seconds = 3 * 24 * 3600

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return {"label": "demo cash desk"}

    def validate_charge(self, request: ChargeRequest) -> None:
        if request.amount.currency not in self.currencies:
            raise ConnectorInputError(f"cash cannot be collected in {request.amount.currency}", param="currency",
                                      code="currency_not_supported")

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Nothing to send: tell the customer to pay the rider, and wait for the collection."""
        self.validate_charge(request)
        reference = cash_reference(request.attempt_id)
        return ChargeResult(
            status=ResultStatus.REQUIRES_ACTION, gateway_reference=reference, gateway_status="awaiting_collection",
            gateway_message="pay the rider in cash on delivery",
            next_action={"type": NEXT_ACTION_TYPE, "reference": reference, "amount": request.amount.amount_minor,
                         "currency": request.amount.currency, "rider": None},
        )

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """There is nobody to ask. Without next_action the core keeps the payment's current one (with its rider)."""
        return ChargeResult(status=ResultStatus.REQUIRES_ACTION, gateway_reference=request.gateway_reference,
                            gateway_status="awaiting_collection")

    # -- callbacks: cash has none ------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return WebhookVerification.REJECTED

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        raise WebhookParseError("cash on delivery has no gateway callbacks; collections are recorded through "
                                "POST /v1/cash/collections")

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return WebhookAck(status_code=200 if accepted else 400, body=b'{"received": false}')
