"""Bank transfer: the customer pays into the merchant's bank account, quoting a reference lipwa gives.

Nothing is called: `charge` returns the payment instructions (bank details, the exact amount and a short
reference derived from the attempt id) and the payment waits in `requires_action` until an operator
confirms the money arrived (`payments.offline.payment_confirm_offline`, `lipwa payments confirm-offline`)
or, later, reconciliation matches a bank statement line by the reference. `charge_sync` has nobody to ask,
so it repeats `requires_action`: time passing never fails a transfer, only lipwa's expiry ends the wait.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta

from lipwa.common import clock
from lipwa.common.money import CURRENCY_EXPONENTS, Money
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError, WebhookParseError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from .credentials import CREDENTIAL_FIELDS, EXPIRY_DAYS_DEFAULT, BankTransferCredentials, demo_credentials

# Crockford's base32 alphabet: no I, L, O or U, so a reference read aloud or copied by hand survives.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "LPW-"
REFERENCE_CHARS = 8  # 40 bits: short enough to type on a banking app, unique enough per account
# What people type instead of the Crockford symbols (Crockford's own decoding rules).
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})

NEXT_ACTION_TYPE = "bank_transfer_instructions"

# Countries with banks lipwa's merchants use; a transfer is not tied to the payer's phone.
COUNTRIES = frozenset({
    "KE", "UG", "TZ", "RW", "BI", "CD", "ZM", "MW", "MZ", "ET", "SO", "SS", "GH", "NG", "CI", "SN", "BJ", "TG",
    "BF", "ML", "NE", "GW", "CM", "GA", "CG", "TD", "CF", "GQ", "GN", "SL", "LR", "GM", "ZA", "BW", "NA", "ZW",
    "MG", "SC", "MU", "EG", "MA", "TN",
})


def payment_reference(attempt_id: str) -> str:
    """"LPW-" and 8 Crockford base32 characters of SHA-256(attempt id): the same attempt always gets the same
    reference, so a retried charge never prints a second one."""
    digest = int.from_bytes(hashlib.sha256(attempt_id.encode()).digest()[:5], "big")  # 40 bits
    chars = [CROCKFORD[(digest >> (5 * i)) & 31] for i in reversed(range(REFERENCE_CHARS))]
    return REFERENCE_PREFIX + "".join(chars)


def reference_normalize(text: str) -> str:
    """A reference as a customer may have typed it ("lpw 7k0q-2m9x", with O for 0) in canonical form, for
    matching statement lines later."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if compact.startswith("LPW"):
        compact = compact[3:]
    return REFERENCE_PREFIX + compact.translate(_CONFUSABLE)


class BankTransferConnector(Connector):
    id = "bank_transfer"
    display_name = "Bank transfer"
    methods = frozenset({"bank_transfer"})
    currencies = frozenset(CURRENCY_EXPONENTS)  # whatever the account is configured for (validate_charge)
    countries = COUNTRIES
    routing_priority = 50
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "bank_transfer"
    default_expires_in_seconds = EXPIRY_DAYS_DEFAULT * 24 * 3600

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return demo_credentials()  # nothing to reach: the demo bank's details

    @classmethod
    def expires_in_seconds(cls, credentials: Mapping[str, str]) -> int:
        try:
            return BankTransferCredentials.from_mapping(credentials).expiry_days * 24 * 3600
        except ConnectorConfigError:
            return cls.default_expires_in_seconds  # the charge itself reports the misconfiguration

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        try:
            credentials = BankTransferCredentials.from_mapping(self.account.credentials)
        except ConnectorConfigError as exc:
            raise ConnectorInputError(str(exc), param="provider", code="connector_misconfigured") from None
        if request.amount.currency not in credentials.currencies:
            raise ConnectorInputError(
                f"this bank account receives {', '.join(sorted(credentials.currencies))}, not "
                f"{request.amount.currency}", param="currency", code="currency_not_supported")

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Return the instructions; the payment then waits for the customer's transfer."""
        try:
            credentials = BankTransferCredentials.from_mapping(self.account.credentials)
        except ConnectorConfigError as exc:
            return ChargeResult(ResultStatus.FAILED, failure_code=FailureCode.CONFIGURATION_ERROR,
                                gateway_message=str(exc))
        self.validate_charge(request)  # the core has validated already; this guards against bugs
        reference = payment_reference(request.attempt_id)
        expires_at = request.expires_at or clock.now() + timedelta(days=credentials.expiry_days)
        return ChargeResult(ResultStatus.REQUIRES_ACTION, gateway_reference=reference,
                            gateway_status="awaiting_transfer",
                            gateway_message=f"waiting for a bank transfer quoting {reference}",
                            next_action=instructions(credentials, request.amount, reference,
                                                     int(expires_at.timestamp())),
                            connector_state={"reference": reference})

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        # There is no bank to ask: the transfer is confirmed by an operator or by reconciliation.
        return ChargeResult(ResultStatus.REQUIRES_ACTION, gateway_reference=request.gateway_reference,
                            gateway_status="awaiting_transfer")

    # -- callbacks: banks send none -------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return WebhookVerification.REJECTED

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        raise WebhookParseError("bank transfers have no callbacks; they are confirmed by an operator or "
                                "by reconciliation")

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return WebhookAck(404, b'{"error": "bank transfers have no callbacks"}')


def instructions(credentials: BankTransferCredentials, amount: Money, reference: str, expires_at: int) -> dict:
    """What the customer needs to make the transfer (the payment's `next_action`)."""
    action: dict[str, object] = {
        "type": NEXT_ACTION_TYPE, "bank_name": credentials.bank_name, "account_name": credentials.account_name,
        "account_number": credentials.account_number, "reference": reference, "amount": amount.amount_minor,
        "amount_major": amount.major_string(), "currency": amount.currency, "expires_at": expires_at,
    }
    if credentials.branch:
        action["branch"] = credentials.branch
    if credentials.swift:
        action["swift"] = credentials.swift
    return action
