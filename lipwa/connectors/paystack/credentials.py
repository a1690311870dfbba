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
from urllib.parse import urlsplit

from lipwa.connectors.errors import ConnectorConfigError
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
_FIELDS = {field.name: field for field in CREDENTIAL_FIELDS}


def credentials_validate(values: Mapping[str, object], mode: str | None = None) -> dict[str, str]:
    """Return {field name: what is wrong with it}; an empty dict means they are usable.

    With `mode`, a secret key of the other mode is refused: a test account must never move live money
    (PROVIDERS.md 6.9), and a live account must never settle orders against test payments.
    """
    resolved = _with_defaults(values)
    errors: dict[str, str] = {}
    for name, field in _FIELDS.items():
        if field.required and not resolved[name]:
            errors[name] = f"{field.label} is required."
    if resolved["base_url"] and (problem := _base_url_problem(resolved["base_url"])):
        errors["base_url"] = problem
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
        return f"API base URL must be an http(s) URL such as {BASE_URL}."
    if parts.query or parts.fragment:
        return "API base URL must not have a query string or fragment."
    return None


@dataclass(frozen=True, slots=True)
class PaystackCredentials:
    base_url: str
    secret_key: str
    public_key: str
    fallback_email: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], mode: str | None = None) -> PaystackCredentials:
        errors = credentials_validate(values, mode)
        if errors:
            details = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
            raise ConnectorConfigError(f"Paystack credentials are not usable: {details}")
        resolved = _with_defaults(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), secret_key=resolved["secret_key"],
                   public_key=resolved["public_key"], fallback_email=resolved["fallback_email"])

    def __repr__(self) -> str:
        return (f"PaystackCredentials(base_url={self.base_url!r}, public_key={self.public_key!r}, "
                "secret_key=<masked>)")

    __str__ = __repr__
