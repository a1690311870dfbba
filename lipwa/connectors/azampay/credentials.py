"""The configuration of one AzamPay app (PROVIDERS.md 4.1, 4.2, 4.7).

AzamPay splits its API over three hosts per environment (4.1): the authenticator issues tokens, the checkout
host takes collections, the disbursement host takes payouts, name lookups and status queries. Each is its own
field, so that an operator can point one of them elsewhere (a proxy, a newer host) without the others.

The checkout host's field is called `base_url` on purpose: the core checks `base_url` of every account
against its mode (a test account must point at a sandbox or simulator, a live one never at a simulator), and
`environment_problem` below applies the same rule to the other two hosts, which the core does not know about.

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field in
words an operator can act on; `AzamPayCredentials.from_mapping` is what the connector uses, and it raises
`ConnectorConfigError` rather than let a half-configured account reach the gateway. No message here ever
contains a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lipwa.connectors.credentials import FieldSet, masked_repr, raise_unless_usable
from lipwa.connectors.types import CredentialField

SANDBOX_AUTH_URL = "https://authenticator-sandbox.azampay.co.tz"
SANDBOX_CHECKOUT_URL = "https://sandbox.azampay.co.tz"
SANDBOX_DISBURSEMENT_URL = "https://api-disbursement-sandbox.azampay.co.tz"
PRODUCTION_AUTH_URL = "https://authenticator.azampay.co.tz"
PRODUCTION_CHECKOUT_URL = "https://checkout.azampay.co.tz"
PRODUCTION_DISBURSEMENT_URL = "https://api-disbursement.azampay.co.tz"

# The three host fields, by role (4.1).
URL_FIELDS = ("auth_base_url", "base_url", "disbursement_base_url")
# The disbursement source is needed only for payouts, so the three fields are optional as a group.
PAYOUT_SOURCE_FIELDS = ("payout_source_name", "payout_source_bank", "payout_source_account")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("auth_base_url", "Authenticator host", default=SANDBOX_AUTH_URL,
                    help_text=f"Issues tokens. {SANDBOX_AUTH_URL} for the sandbox, {PRODUCTION_AUTH_URL} for "
                              "production."),
    CredentialField("base_url", "Checkout host", default=SANDBOX_CHECKOUT_URL,
                    help_text=f"Takes mobile-money and bank checkouts. {SANDBOX_CHECKOUT_URL} for the sandbox, "
                              f"{PRODUCTION_CHECKOUT_URL} for production."),
    CredentialField("disbursement_base_url", "Disbursement host", default=SANDBOX_DISBURSEMENT_URL,
                    help_text=f"Payouts, name lookup and status queries. {SANDBOX_DISBURSEMENT_URL} for the "
                              f"sandbox, {PRODUCTION_DISBURSEMENT_URL} for production."),
    CredentialField("app_name", "App name", help_text="The name of your app on the AzamPay merchant portal."),
    CredentialField("client_id", "Client ID", help_text="From your app on the AzamPay merchant portal."),
    CredentialField("client_secret", "Client secret", secret=True,
                    help_text="From your app on the AzamPay merchant portal."),
    CredentialField("api_key", "API key", secret=True,
                    help_text="The X-API-Key from the settings page of the AzamPay merchant portal."),
    CredentialField("payout_source_name", "Payout source: account name", required=False,
                    help_text="Only for payouts: the name on the account that payouts are sent from."),
    CredentialField("payout_source_bank", "Payout source: bank or wallet", required=False,
                    help_text="Only for payouts: the bank or wallet of that account, e.g. Azampesa or CRDB."),
    CredentialField("payout_source_account", "Payout source: account number", required=False,
                    help_text="Only for payouts: the number of that account."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)
_SECRETS_AND_IDS = ("client_id", "client_secret", "api_key")


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, URL_FIELDS, SANDBOX_CHECKOUT_URL))
    errors.update(_FIELDS.pasted_whitespace(resolved, _SECRETS_AND_IDS))
    given = [name for name in PAYOUT_SOURCE_FIELDS if resolved[name]]
    if given and len(given) != len(PAYOUT_SOURCE_FIELDS):
        for name in PAYOUT_SOURCE_FIELDS:
            if not resolved[name]:
                errors[name] = f"{_FIELDS.label(name)} is needed with the other payout source fields."
    return errors


def environment_problem(mode: str, values: Mapping[str, object]) -> str | None:
    """Why these hosts do not fit `mode`, or None: test never reaches production, live never a simulator or
    a sandbox."""
    resolved = _FIELDS.resolve(values)
    for name in URL_FIELDS:
        parts = urlsplit(resolved[name])
        simulated = "/simulators/" in parts.path + "/" or (parts.hostname or "") in _LOOPBACK_HOSTS
        if mode == "live" and simulated:
            return f"{_FIELDS.label(name)} points at a simulator, but the account is live."
        if mode == "live" and "sandbox" in (parts.hostname or ""):
            # A sandbox "succeeds" without moving money: in live mode that would be a payment nobody made.
            return f"{_FIELDS.label(name)} points at a sandbox, but the account is live."
        if mode == "test" and not simulated and "sandbox" not in (parts.hostname or ""):
            return f"{_FIELDS.label(name)} is not a sandbox or simulator host, but the account is in test mode."
    return None


@dataclass(frozen=True, slots=True)
class PayoutSource:
    """The merchant's account that disbursements are paid from (4.7 `source`)."""

    full_name: str
    bank_name: str
    account_number: str


@dataclass(frozen=True, slots=True)
class AzamPayCredentials:
    """Validated credentials with defaults applied and trailing slashes removed from the hosts."""

    auth_base_url: str
    checkout_base_url: str
    disbursement_base_url: str
    app_name: str
    client_id: str
    client_secret: str
    api_key: str
    payout_source: PayoutSource | None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> AzamPayCredentials:
        raise_unless_usable(credentials_validate(values), "AzamPay credentials are not usable")
        resolved = _FIELDS.resolve(values)
        source = None
        if resolved["payout_source_account"]:
            source = PayoutSource(full_name=resolved["payout_source_name"], bank_name=resolved["payout_source_bank"],
                                  account_number=resolved["payout_source_account"])
        return cls(auth_base_url=resolved["auth_base_url"].rstrip("/"),
                   checkout_base_url=resolved["base_url"].rstrip("/"),
                   disbursement_base_url=resolved["disbursement_base_url"].rstrip("/"),
                   app_name=resolved["app_name"], client_id=resolved["client_id"],
                   client_secret=resolved["client_secret"], api_key=resolved["api_key"], payout_source=source)

    def __repr__(self) -> str:
        # The client id is not secret on its own, but with a leaked secret it is the other half; mask both.
        return masked_repr(self, shown=("auth_base_url", "checkout_base_url", "disbursement_base_url", "app_name"),
                           masked=("client_id", "client_secret", "api_key"))

    __str__ = __repr__
