"""The configuration of one MTN MoMo Open API account (PROVIDERS.md 2.1-2.3, 2.10).

MTN gives every product (collection, disbursement) its own subscription key, API user and API key (2.1). An
account always has the collection ones; the disbursement ones are optional and fall back to the collection
ones when blank, which is what a sandbox user subscribed to both products has.

`CREDENTIAL_FIELDS` drives the dashboard form and masking. `credentials_validate` explains every bad field in
words an operator can act on; `MomoCredentials.from_mapping` is what the connector uses, and it raises
`ConnectorConfigError` rather than let a half-configured account reach MTN. No message here ever contains a
secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.connectors.credentials import FieldSet, raise_unless_usable
from lipwa.connectors.types import CredentialField

SANDBOX_BASE_URL = "https://sandbox.momodeveloper.mtn.com"
PRODUCTION_BASE_URL = "https://proxy.momoapi.mtn.com"
SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class TargetEnvironment:
    """One `X-Target-Environment` value: the country it serves and the currencies it settles in."""

    name: str
    country: str  # "" for the sandbox, which takes any MSISDN (its test numbers are Swedish, 2.8)
    currencies: tuple[str, ...]


# PROVIDERS.md 2.1 lists the values; 2.4/2.11 say the sandbox takes EUR only and production the country's
# currency. The country of each value is MTN's operating company named by it. `mtnswaziland` is left out on
# purpose: its currency (SZL) is not in lipwa.common.money, so lipwa could not represent its amounts.
TARGET_ENVIRONMENTS: dict[str, TargetEnvironment] = {env.name: env for env in (
    TargetEnvironment(SANDBOX, "", ("EUR",)),
    TargetEnvironment("mtnuganda", "UG", ("UGX",)),
    TargetEnvironment("mtnghana", "GH", ("GHS",)),
    TargetEnvironment("mtnivorycoast", "CI", ("XOF",)),
    TargetEnvironment("mtnzambia", "ZM", ("ZMW",)),
    TargetEnvironment("mtncameroon", "CM", ("XAF",)),
    TargetEnvironment("mtnbenin", "BJ", ("XOF",)),
    TargetEnvironment("mtncongo", "CG", ("XAF",)),  # MTN Congo is in Brazzaville (Republic of the Congo)
    TargetEnvironment("mtnguineaconakry", "GN", ("GNF",)),
    TargetEnvironment("mtnsouthafrica", "ZA", ("ZAR",)),
    # (A) Liberia's wallets hold Liberian dollars and US dollars; both are in local use.
    TargetEnvironment("mtnliberia", "LR", ("LRD", "USD")),
    TargetEnvironment("mtnsouthsudan", "SS", ("SSP",)),
    TargetEnvironment("mtnnigeria", "NG", ("NGN",)),
    TargetEnvironment("mtnrwanda", "RW", ("RWF",)),
)}

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("base_url", "API base URL", default=SANDBOX_BASE_URL,
                    help_text=f"{SANDBOX_BASE_URL} for the sandbox, {PRODUCTION_BASE_URL} (or your country's "
                              "proxy) for production."),
    CredentialField("target_environment", "Target environment", default=SANDBOX,
                    help_text="X-Target-Environment: 'sandbox' (EUR only), or your country's value such as "
                              "mtnuganda, mtnghana, mtnrwanda (local currency)."),
    CredentialField("subscription_key", "Collection subscription key", secret=True,
                    help_text="The primary key of your Collection product subscription (Ocp-Apim-Subscription-Key)."),
    CredentialField("api_user", "Collection API user",
                    help_text="The API user id (a UUID) created for the Collection product."),
    CredentialField("api_key", "Collection API key", secret=True, help_text="The API key of that API user."),
    CredentialField("disbursement_subscription_key", "Disbursement subscription key", secret=True, required=False,
                    help_text="Only for refunds and payouts. Leave blank to use the collection key."),
    CredentialField("disbursement_api_user", "Disbursement API user", required=False,
                    help_text="Only for refunds and payouts. Leave blank to use the collection API user."),
    CredentialField("disbursement_api_key", "Disbursement API key", secret=True, required=False,
                    help_text="Only for refunds and payouts. Leave blank to use the collection API key."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)
_KEYS = ("subscription_key", "api_user", "api_key", "disbursement_subscription_key", "disbursement_api_user",
         "disbursement_api_key")


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it} for `values`; an empty dict means they are usable.

    Blank fields that have a default take the default, as the account form does.
    """
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    errors.update(_FIELDS.bad_urls(resolved, ("base_url",), SANDBOX_BASE_URL))
    if resolved["target_environment"] and resolved["target_environment"] not in TARGET_ENVIRONMENTS:
        known = ", ".join(sorted(TARGET_ENVIRONMENTS))
        errors["target_environment"] = f"Target environment must be one of {known}."
    errors.update(_FIELDS.pasted_whitespace(resolved, _KEYS))
    return errors


@dataclass(frozen=True, slots=True)
class ProductCredentials:
    """What one MTN product (collection or disbursement) needs: its path prefix and its three keys."""

    product: str  # "collection" or "disbursement": the first path segment of its endpoints (2.3)
    base_url: str
    subscription_key: str
    api_user: str
    api_key: str

    def __repr__(self) -> str:
        return f"ProductCredentials({self.product!r}, {self.base_url!r}, api_user=<masked>, keys=<masked>)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class MomoCredentials:
    """Validated credentials with defaults applied; the disbursement keys are resolved to the collection
    ones where they were left blank."""

    base_url: str
    target_environment: TargetEnvironment
    collection: ProductCredentials
    disbursement: ProductCredentials

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> MomoCredentials:
        raise_unless_usable(credentials_validate(values), "MTN MoMo credentials are not usable")
        resolved = _FIELDS.resolve(values)
        base_url = resolved["base_url"].rstrip("/")
        collection = ProductCredentials("collection", base_url, resolved["subscription_key"], resolved["api_user"],
                                        resolved["api_key"])
        disbursement = ProductCredentials(
            "disbursement", base_url, resolved["disbursement_subscription_key"] or collection.subscription_key,
            resolved["disbursement_api_user"] or collection.api_user,
            resolved["disbursement_api_key"] or collection.api_key)
        return cls(base_url=base_url, target_environment=TARGET_ENVIRONMENTS[resolved["target_environment"]],
                   collection=collection, disbursement=disbursement)

    def __repr__(self) -> str:
        # An API user id is not secret on its own, but with a leaked key it is the other half; mask both.
        return (f"MomoCredentials(base_url={self.base_url!r}, target_environment={self.target_environment.name!r}, "
                "api_user=<masked>, api_key=<masked>, subscription_key=<masked>)")

    __str__ = __repr__
