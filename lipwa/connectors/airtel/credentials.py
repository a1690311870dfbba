"""The configuration of one Airtel Money Open API application (PROVIDERS.md §3.1–§3.3, §3.6, §3.8).

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field
in words an operator can act on; `AirtelCredentials.from_mapping` is what the connector uses, and it raises
`ConnectorConfigError` rather than let a half-configured account reach the gateway. No message here ever
contains a secret's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.connectors.credentials import FieldSet, raise_unless_usable
from lipwa.connectors.types import CredentialField

UAT_BASE_URL = "https://openapiuat.airtel.africa"
PRODUCTION_BASE_URL = "https://openapi.airtel.africa"

SIGNING_ENABLED = "enabled"
SIGNING_DISABLED = "disabled"
SIGNING_CHOICES = (SIGNING_ENABLED, SIGNING_DISABLED)
# The disbursement PIN is the wallet's four-digit PIN (PROVIDERS.md §3.3).
_PIN = re.compile(r"\d{4}")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "API base URL", default=UAT_BASE_URL,
                    help_text=f"{UAT_BASE_URL} for staging (UAT), {PRODUCTION_BASE_URL} for production. Some "
                              "countries use a national host such as https://openapi.airtel.co.tz."),
    CredentialField("client_id", "Client ID", help_text="From your application on the Airtel developer portal."),
    CredentialField("client_secret", "Client secret", secret=True,
                    help_text="From your application on the Airtel developer portal."),
    CredentialField("message_signing", "Message signing", default=SIGNING_ENABLED,
                    help_text=f"'{SIGNING_ENABLED}' uses the current v2 collection and refund APIs with "
                              "x-signature/x-key; "
                              f"'{SIGNING_DISABLED}' uses the older unsigned v1 APIs. Disbursements are always "
                              "signed."),
    CredentialField("callback_secret", "Callback secret", secret=True, required=False,
                    help_text="Only if 'authenticated callback' is enabled on the portal: the secret Airtel "
                              "uses for the callback's hash. Without it callbacks are confirmed by an "
                              "enquiry before they count. Set the callback URL shown for this account on "
                              "the portal: Airtel does not take it per request."),
    CredentialField("pin", "Disbursement PIN", secret=True, required=False,
                    help_text="The four-digit PIN of the disbursement wallet; only needed for payouts."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _with_defaults(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, ("base_url",), UAT_BASE_URL))
    if resolved["message_signing"] not in SIGNING_CHOICES:
        errors["message_signing"] = f"Message signing must be '{SIGNING_ENABLED}' or '{SIGNING_DISABLED}'."
    if resolved["pin"] and not _PIN.fullmatch(resolved["pin"]):
        errors["pin"] = "Disbursement PIN must be four digits."
    errors.update(_FIELDS.pasted_whitespace(resolved, ("client_id", "client_secret", "callback_secret")))
    return errors


def _with_defaults(values: Mapping[str, object]) -> dict[str, str]:
    resolved = _FIELDS.resolve(values)
    resolved["message_signing"] = resolved["message_signing"].lower()
    return resolved


@dataclass(frozen=True, slots=True)
class AirtelCredentials:
    """Validated credentials with defaults applied; optional secrets are "" when not configured."""

    base_url: str
    client_id: str
    client_secret: str
    message_signing: bool
    callback_secret: str
    pin: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> AirtelCredentials:
        raise_unless_usable(credentials_validate(values), "Airtel Money credentials are not usable")
        resolved = _with_defaults(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), client_id=resolved["client_id"],
                   client_secret=resolved["client_secret"],
                   message_signing=resolved["message_signing"] == SIGNING_ENABLED,
                   callback_secret=resolved["callback_secret"], pin=resolved["pin"])

    def __repr__(self) -> str:
        # The client id is not secret on its own, but with a leaked secret it is the other half; mask both.
        return (f"AirtelCredentials(base_url={self.base_url!r}, message_signing={self.message_signing!r}, "
                f"callback_secret={'<masked>' if self.callback_secret else '<unset>'}, "
                f"pin={'<masked>' if self.pin else '<unset>'}, client_id=<masked>, client_secret=<masked>)")

    __str__ = __repr__
