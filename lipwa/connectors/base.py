"""The interface every connector implements. `connectors/mpesa/` is the reference implementation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from .errors import NotSupported
from .types import (
    AccountContext,
    AccountHolder,
    ChargeRequest,
    ChargeResult,
    CredentialField,
    InboundRequest,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    ProbeResult,
    RefundRequest,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

# The default answer of `Connector.credentials_probe`; the dashboard then only checks that the gateway answers.
NO_CREDENTIALS_PROBE = "this gateway offers no side-effect-free way to check credentials"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
_SANDBOX_HOST_WORDS = ("sandbox", "uat", "staging", "test")


def _environment_of_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in _LOOPBACK_HOSTS or "/simulators/" in parts.path + "/":
        return "simulator"
    if any(word in host for word in _SANDBOX_HOST_WORDS):
        return "sandbox"
    return "production"


class Connector(ABC):
    id: ClassVar[str]
    display_name: ClassVar[str]
    methods: ClassVar[frozenset[str]]
    currencies: ClassVar[frozenset[str]]
    countries: ClassVar[frozenset[str]]
    # When several connectors can carry a payment, the lowest priority wins: a network's own gateway (10)
    # before an aggregator (20) before a card processor's mobile-money rail (30).
    routing_priority: ClassVar[int] = 50
    # Mobile networks this connector can charge (ids from lipwa.common.networks), empty if not network-based.
    networks: ClassVar[frozenset[str]] = frozenset()
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    # The first path segment of this connector's callback URL (/hooks/<slug>/…). Some gateways refuse
    # callback URLs that contain certain words, so it need not be the connector id.
    callback_slug: ClassVar[str]
    # The credential naming the host `credentials_probe` calls (gateways with several hosts name one).
    credentials_probe_url_field: ClassVar[str] = "base_url"
    # How long the customer has by default to act on a prompt, before lipwa expires the payment.
    default_expires_in_seconds: ClassVar[int] = 15 * 60

    @classmethod
    def expires_in_seconds(cls, credentials: Mapping[str, str]) -> int:
        """The default window of a payment through an account with these credentials; connectors whose
        accounts configure it (bank transfer: days to pay) override this."""
        return cls.default_expires_in_seconds

    def __init__(self, account: AccountContext) -> None:
        self.account = account

    @classmethod
    def environment_of(cls, credentials: Mapping[str, str]) -> str:
        """"simulator", "sandbox", "production" or "offline": what these credentials reach. By default judged from
        every `*base_url` host; gateways with one host for test and live override it (key prefixes)."""
        environments = {_environment_of_url(url) for name, url in credentials.items()
                        if name.endswith("base_url") and url}
        if not environments:
            return "offline"  # nothing to reach (cash, bank transfer): valid in test and live alike
        for environment in ("simulator", "sandbox"):
            if environment in environments:
                return environment
        return "production"

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        """Credentials that work against this connector's simulator (used by `make run`'s demo)."""
        raise NotImplementedError

    @abstractmethod
    def validate_charge(self, request: ChargeRequest) -> None:
        """Raise ConnectorInputError if this gateway cannot take the charge; called before any state."""

    @abstractmethod
    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Start a charge. A timeout returns status UNKNOWN; an explicit refusal returns FAILED."""

    @abstractmethod
    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Ask the gateway for the current state of a charge."""

    @abstractmethod
    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        """Check the callback's signature, or declare that the gateway signs nothing."""

    @abstractmethod
    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        """Read the callback; raise WebhookParseError if it is not this gateway's shape."""

    @abstractmethod
    def webhook_ack(self, accepted: bool) -> WebhookAck:
        """The response the gateway expects, so that it stops retrying."""

    # -- optional flows: a connector overrides those its gateway offers ----------------------------------

    def credentials_probe(self) -> ProbeResult:
        """Prove the account's credentials work at the gateway with one call that changes nothing there (an
        OAuth token, an authenticated read), behind the dashboard's "test connection".

        Returns ProbeResult(passed=False, …) when the gateway refuses the credentials, naming what it refused
        and its HTTP status, never a secret. Raises GatewayUnreachable / OutcomeUnknown when the gateway does
        not answer, ConnectorConfigError when the credentials cannot even be read, and NotSupported (this
        default) when the gateway offers no side-effect-free authenticated call.
        """
        raise NotSupported(NO_CREDENTIALS_PROBE)

    def refund(self, request: RefundRequest) -> OperationResult:
        raise NotSupported(f"{self.id} does not support refunds through the gateway")

    def refund_sync(self, request: OperationSyncRequest) -> OperationResult:
        raise NotSupported(f"{self.id} does not support refund status queries")

    def payout(self, request: PayoutRequest) -> OperationResult:
        raise NotSupported(f"{self.id} does not support payouts")

    def payout_sync(self, request: OperationSyncRequest) -> OperationResult:
        raise NotSupported(f"{self.id} does not support payout status queries")

    def account_holder_lookup(self, phone_or_account: str, network: str | None = None) -> AccountHolder:
        raise NotSupported(f"{self.id} does not support name lookup")

    def action_submit(self, request: SyncRequest, action: str, value: str) -> ChargeResult:
        """Answer the step a `requires_action` result asked for (e.g. action "otp"); the answer is the next
        state of the charge."""
        raise NotSupported(f"{self.id} takes no {action!r} from the customer through lipwa")

    def saved_instrument(self, connector_state: Mapping[str, str]) -> dict[str, str] | None:
        """What a successful charge left that can be charged again without the customer (a card
        authorization), or None."""
        return None

    def charge_saved(self, request: ChargeRequest, instrument: Mapping[str, str]) -> ChargeResult:
        """Charge a saved instrument (recurring premiums, subscriptions) without the customer present."""
        raise NotSupported(f"{self.id} cannot charge a saved payment method")
