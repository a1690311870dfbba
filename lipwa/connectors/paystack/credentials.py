"""The configuration of one Paystack integration (PROVIDERS.md 6.1, 6.7, 6.9).

Paystack has one host for test and live; the secret key selects the mode (`sk_test_…` / `sk_live_…`), and
the same secret key signs webhooks. `CREDENTIAL_FIELDS` drives the dashboard form and masking;
`credentials_validate` explains every bad field; `PaystackCredentials.from_mapping` is what the connector
uses, and it raises `ConnectorConfigError` rather than let a half-configured account reach Paystack. No
message here ever contains a secret's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.connectors.credentials import FieldSet, masked_repr, raise_unless_usable
from lipwa.connectors.types import CredentialField

BASE_URL = "https://api.paystack.co"
TEST_KEY_PREFIX = "sk_test_"
LIVE_KEY_PREFIX = "sk_live_"
# A loose shape check: Paystack requires an email for every transaction (6.2), and a typo here would make
# every payment without a customer email fail at Paystack.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "API base URL", default=BASE_URL,
                    help_text=f"{BASE_URL} for test and live alike; the secret key selects the mode."),
    CredentialField("secret_key", "Secret key", secret=True,
                    help_text="sk_test_… or sk_live_… from Settings → API Keys & Webhooks. It also signs webhooks."),
    CredentialField("public_key", "Public key", required=False,
                    help_text="pk_test_… or pk_live_…; not used by the server, kept for reference."),
    CredentialField("fallback_email", "Fallback customer email", required=False,
                    help_text="Paystack requires a customer email on every payment; this one is used when a "
                              "payment has none."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object], mode: str | None = None) -> dict[str, str]:
    """Return {field name: what is wrong with it}; an empty dict means they are usable.

    With `mode`, a secret key of the other mode is refused: a test account must never move live money
    (PROVIDERS.md 6.9), and a live account must never settle orders against test payments.
    """
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, ("base_url",), BASE_URL))
    secret = resolved["secret_key"]
    if secret and re.search(r"\s", secret):
        errors["secret_key"] = "Secret key contains spaces or line breaks; paste it again."
    elif secret and secret.startswith(("pk_test_", "pk_live_")):
        errors["secret_key"] = "This is the public key; paste the secret key (sk_…)."
    elif secret and mode == "test" and secret.startswith(LIVE_KEY_PREFIX):
        errors["secret_key"] = "A test account cannot use a live secret key (sk_live_…)."
    elif secret and mode == "live" and not secret.startswith(LIVE_KEY_PREFIX):
        errors["secret_key"] = "A live account needs a live secret key (sk_live_…)."
    if resolved["fallback_email"] and not EMAIL_PATTERN.fullmatch(resolved["fallback_email"]):
        errors["fallback_email"] = "Fallback customer email is not an email address."
    return errors


@dataclass(frozen=True, slots=True)
class PaystackCredentials:
    base_url: str
    secret_key: str
    public_key: str
    fallback_email: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], mode: str | None = None) -> PaystackCredentials:
        raise_unless_usable(credentials_validate(values, mode), "Paystack credentials are not usable")
        resolved = _FIELDS.resolve(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), secret_key=resolved["secret_key"],
                   public_key=resolved["public_key"], fallback_email=resolved["fallback_email"])

    def __repr__(self) -> str:
        return masked_repr(self, shown=("base_url", "public_key"), masked=("secret_key",))

    __str__ = __repr__
