"""The configuration of one Paynow integration (PROVIDERS.md 7.1, 7.2, 7.4, 7.8).

A Paynow integration is an integration ID and its integration key (the shared secret of every hash). Each
integration settles in one currency (7.2: separate USD and ZWG integrations), so a connector account names its
currency and the connector refuses any other: a ZWG amount sent to a USD integration would charge dollars.
Test mode is a property of the integration ID, not of the host, and in test mode express checkout needs the
merchant's own Paynow login email as `authemail` (7.2, 7.8). No message here ever contains the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.connectors.credentials import FieldSet, masked_repr, raise_unless_usable
from lipwa.connectors.types import CredentialField

PRODUCTION_BASE_URL = "https://www.paynow.co.zw"
CURRENCIES = ("USD", "ZWG")
# Loose on purpose: Paynow checks the address itself; this only catches a pasted name or phone number.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "Paynow base URL", default=PRODUCTION_BASE_URL,
                    help_text=f"{PRODUCTION_BASE_URL}; test mode is a property of the integration, not of the host."),
    CredentialField("integration_id", "Integration ID",
                    help_text="Shown under Receive Payment Links → 3rd Party Site or Link Profile on Paynow."),
    CredentialField("integration_key", "Integration key", secret=True,
                    help_text="Emailed by Paynow when the integration is created; it signs every message."),
    CredentialField("merchant_email", "Merchant login email", required=False,
                    help_text="An email you log in to Paynow with. Required while the integration is in test mode "
                              "(Paynow refuses express checkout with any other authemail)."),
    CredentialField("currency", "Integration currency", default="USD",
                    help_text="USD or ZWG: Paynow issues a separate integration for each currency."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it}; an empty dict means the values are usable."""
    resolved = _with_defaults(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, ("base_url",), PRODUCTION_BASE_URL))
    # Whitespace inside a pasted id or key would also break the hash.
    errors.update(_FIELDS.pasted_whitespace(resolved, ("integration_id", "integration_key")))
    if resolved["merchant_email"] and not _EMAIL.fullmatch(resolved["merchant_email"]):
        errors["merchant_email"] = "Merchant login email is not an email address."
    if resolved["currency"] not in CURRENCIES:
        errors["currency"] = "Integration currency must be USD or ZWG."
    return errors


def _with_defaults(values: Mapping[str, object]) -> dict[str, str]:
    resolved = _FIELDS.resolve(values)
    resolved["currency"] = resolved["currency"].upper()
    return resolved


@dataclass(frozen=True, slots=True)
class PaynowCredentials:
    """Validated credentials with defaults applied."""

    base_url: str
    integration_id: str
    integration_key: str
    merchant_email: str
    currency: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> PaynowCredentials:
        raise_unless_usable(credentials_validate(values), "Paynow credentials are not usable")
        resolved = _with_defaults(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), integration_id=resolved["integration_id"],
                   integration_key=resolved["integration_key"], merchant_email=resolved["merchant_email"],
                   currency=resolved["currency"])

    def __repr__(self) -> str:
        return masked_repr(self, shown=("base_url", "integration_id", "currency"), masked=("integration_key",))

    __str__ = __repr__
