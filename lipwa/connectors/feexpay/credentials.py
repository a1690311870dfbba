"""The configuration of one FeexPay shop (PROVIDERS.md 5.1): API key, shop id, webhook secret, base URL.

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field in
words an operator can act on; `FeexpayCredentials.from_mapping` is what the connector uses, and it raises
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

from .catalogue import SANDBOX_KEY_PREFIX, WEBHOOK_SIGNATURE_HEADER

# The V2 API (5.1); the retired V1 host answered 502 before it was removed.
API_BASE_URL = "https://api-v2.feexpay.me/api"
RETIRED_V1_HOST = "api.feexpay.me"

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "API base URL", default=API_BASE_URL,
                    help_text=f"{API_BASE_URL}. FeexPay has no separate sandbox host: a test key selects "
                              "sandbox mode."),
    CredentialField("api_key", "API key", secret=True,
                    help_text=f"From the FeexPay dashboard: `fp_…` for live, `{SANDBOX_KEY_PREFIX}…` for sandbox."),
    CredentialField("shop_id", "Shop id", help_text="The id of your shop (boutique) in the FeexPay dashboard."),
    CredentialField("webhook_secret", "Webhook secret", secret=True,
                    help_text=f"The secret that signs FeexPay's callbacks ({WEBHOOK_SIGNATURE_HEADER}, "
                              "HMAC-SHA256). Set the dashboard's Callback URL to this account's lipwa callback URL."),
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
    for name in ("api_key", "shop_id", "webhook_secret"):
        # Whitespace inside a pasted key is always a copy-and-paste accident and would fail at FeexPay.
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
        return f"API base URL must be an http(s) URL such as {API_BASE_URL}."
    if parts.query or parts.fragment:
        return "API base URL must not have a query string or fragment."
    if parts.hostname == RETIRED_V1_HOST:
        return f"{RETIRED_V1_HOST} is FeexPay's retired V1 API; use {API_BASE_URL}."
    return None


@dataclass(frozen=True, slots=True)
class FeexpayCredentials:
    base_url: str
    api_key: str
    shop_id: str
    webhook_secret: str

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> FeexpayCredentials:
        errors = credentials_validate(values)
        if errors:
            details = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
            raise ConnectorConfigError(f"FeexPay credentials are not usable: {details}")
        resolved = _with_defaults(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), api_key=resolved["api_key"],
                   shop_id=resolved["shop_id"], webhook_secret=resolved["webhook_secret"])

    @property
    def is_sandbox_key(self) -> bool:
        return self.api_key.startswith(SANDBOX_KEY_PREFIX)

    def __repr__(self) -> str:
        return (f"FeexpayCredentials(base_url={self.base_url!r}, shop_id={self.shop_id!r}, "
                "api_key=<masked>, webhook_secret=<masked>)")

    __str__ = __repr__
