"""The configuration of one FeexPay shop (PROVIDERS.md 5.1): API key, shop id, webhook secret, base URL.

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field in
words an operator can act on; `FeexpayCredentials.from_mapping` is what the connector uses, and it raises
`ConnectorConfigError` rather than let a half-configured account reach the gateway. No message here ever
contains a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lipwa.connectors.credentials import FieldSet, masked_repr, raise_unless_usable, url_problem
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
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    if resolved["base_url"] and (problem := _base_url_problem(resolved["base_url"])):
        errors["base_url"] = problem
    errors.update(_FIELDS.pasted_whitespace(resolved, ("api_key", "shop_id", "webhook_secret")))
    return errors


def _base_url_problem(base_url: str) -> str | None:
    if problem := url_problem("API base URL", base_url, API_BASE_URL):
        return problem
    if urlsplit(base_url).hostname == RETIRED_V1_HOST:
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
        raise_unless_usable(credentials_validate(values), "FeexPay credentials are not usable")
        resolved = _FIELDS.resolve(values)
        return cls(base_url=resolved["base_url"].rstrip("/"), api_key=resolved["api_key"],
                   shop_id=resolved["shop_id"], webhook_secret=resolved["webhook_secret"])

    @property
    def is_sandbox_key(self) -> bool:
        return self.api_key.startswith(SANDBOX_KEY_PREFIX)

    def __repr__(self) -> str:
        return masked_repr(self, shown=("base_url", "shop_id"), masked=("api_key", "webhook_secret"))

    __str__ = __repr__
