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
from urllib.parse import urlsplit

from lipwa.connectors.errors import ConnectorConfigError
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
_FIELDS = {field.name: field for field in CREDENTIAL_FIELDS}


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _with_defaults(values)
    errors: dict[str, str] = {}
    for name, field in _FIELDS.items():
        if field.required and not resolved[name]:
            errors[name] = f"{field.label} is required."
    if resolved["base_url"] and (problem := _base_url_problem(resolved["base_url"])):
        errors["base_url"] = problem
    if resolved["shortcode"] and not _SHORTCODE.fullmatch(resolved["shortcode"]):
        errors["shortcode"] = "Business short code must be 5 to 7 digits."
    if resolved["party_b"] and not _SHORTCODE.fullmatch(resolved["party_b"]):
        errors["party_b"] = "Till number must be 5 to 7 digits."
    if resolved["transaction_type"] not in TRANSACTION_TYPES:
        errors["transaction_type"] = f"Transaction type must be {PAYBILL} or {BUY_GOODS}."
    for name in ("consumer_key", "consumer_secret", "passkey"):
        # Whitespace inside a pasted key is always a copy-and-paste accident and would fail at Daraja.
        if resolved[name] and re.search(r"\s", resolved[name]):
            errors[name] = f"{_FIELDS[name].label} contains spaces or line breaks; paste it again."
    return errors


def _with_defaults(values: Mapping[str, object]) -> dict[str, str]:
    resolved = {}
    for name, field in _FIELDS.items():
        raw = values.get(name)
        text = "" if raw is None else str(raw).strip()
        resolved[name] = text or (field.default or "")
    return resolved


def _base_url_problem(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"API base URL must be an http(s) URL such as {SANDBOX_BASE_URL}."
    if parts.query or parts.fragment:
        return "API base URL must not have a query string or fragment."
    return None


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
        errors = credentials_validate(values)
        if errors:
            details = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
            raise ConnectorConfigError(f"M-Pesa credentials are not usable: {details}")
        resolved = _with_defaults(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), consumer_key=resolved["consumer_key"],
                   consumer_secret=resolved["consumer_secret"], shortcode=resolved["shortcode"],
                   passkey=resolved["passkey"], transaction_type=resolved["transaction_type"],
                   party_b=resolved["party_b"] or resolved["shortcode"])

    def __repr__(self) -> str:
        # The consumer key is not secret on its own, but with a leaked secret it is the other half; mask both.
        return (f"MpesaCredentials(base_url={self.base_url!r}, shortcode={self.shortcode!r}, "
                f"transaction_type={self.transaction_type!r}, party_b={self.party_b!r}, "
                "consumer_key=<masked>, consumer_secret=<masked>, passkey=<masked>)")

    __str__ = __repr__
