"""The configuration of one Daraja app and shortcode (PROVIDERS.md 1.2, 1.3, 1.10).

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field
in words an operator can act on; `MpesaCredentials.from_mapping` is what the connector uses, and it raises
`ConnectorConfigError` rather than let a half-configured account reach the gateway. No message here ever
contains a secret's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.connectors.credentials import FieldSet, masked_repr, raise_unless_usable
from lipwa.connectors.types import CredentialField

SANDBOX_BASE_URL = "https://sandbox.safaricom.co.ke"
PRODUCTION_BASE_URL = "https://api.safaricom.co.ke"
# Safaricom publishes this passkey for the sandbox shortcode 174379 (PROVIDERS.md 1.10); it is not a secret.
SANDBOX_SHORTCODE = "174379"
SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"

PAYBILL = "CustomerPayBillOnline"
BUY_GOODS = "CustomerBuyGoodsOnline"
TRANSACTION_TYPES = (PAYBILL, BUY_GOODS)

# Paybill numbers, till numbers and head-office (store) numbers are 5 to 7 digits (PROVIDERS.md 1.3).
_SHORTCODE = re.compile(r"\d{5,7}")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "API base URL", default=SANDBOX_BASE_URL,
                    help_text=f"{SANDBOX_BASE_URL} for the sandbox, {PRODUCTION_BASE_URL} for production."),
    CredentialField("consumer_key", "Consumer key", help_text="From your app on the Daraja portal."),
    CredentialField("consumer_secret", "Consumer secret", secret=True, help_text="From your app on the Daraja portal."),
    CredentialField("shortcode", "Business short code",
                    help_text="Your paybill number, or the head-office (store) number for a till."),
    CredentialField("passkey", "Lipa na M-Pesa Online passkey", secret=True,
                    help_text="Sent by Safaricom when M-Pesa Express is enabled on the short code."),
    CredentialField("transaction_type", "Transaction type", default=PAYBILL,
                    help_text=f"{PAYBILL} for a paybill, {BUY_GOODS} for a till."),
    CredentialField("party_b", "Till number", required=False,
                    help_text="Only for tills (buy goods): the till that receives the money. "
                              "Leave blank to use the business short code."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, ("base_url",), SANDBOX_BASE_URL))
    if resolved["shortcode"] and not _SHORTCODE.fullmatch(resolved["shortcode"]):
        errors["shortcode"] = "Business short code must be 5 to 7 digits."
    if resolved["party_b"] and not _SHORTCODE.fullmatch(resolved["party_b"]):
        errors["party_b"] = "Till number must be 5 to 7 digits."
    if resolved["transaction_type"] not in TRANSACTION_TYPES:
        errors["transaction_type"] = f"Transaction type must be {PAYBILL} or {BUY_GOODS}."
    errors.update(_FIELDS.pasted_whitespace(resolved, ("consumer_key", "consumer_secret", "passkey")))
    return errors


@dataclass(frozen=True, slots=True)
class MpesaCredentials:
    """Validated credentials with defaults applied; `party_b` is already resolved to the shortcode if blank."""

    base_url: str
    consumer_key: str
    consumer_secret: str
    shortcode: str
    passkey: str
    transaction_type: str
    party_b: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> MpesaCredentials:
        raise_unless_usable(credentials_validate(values), "M-Pesa credentials are not usable")
        resolved = _FIELDS.resolve(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), consumer_key=resolved["consumer_key"],
                   consumer_secret=resolved["consumer_secret"], shortcode=resolved["shortcode"],
                   passkey=resolved["passkey"], transaction_type=resolved["transaction_type"],
                   party_b=resolved["party_b"] or resolved["shortcode"])

    def __repr__(self) -> str:
        # The consumer key is not secret on its own, but with a leaked secret it is the other half; mask both.
        return masked_repr(self, shown=("base_url", "shortcode", "transaction_type", "party_b"),
                           masked=("consumer_key", "consumer_secret", "passkey"))

    __str__ = __repr__
