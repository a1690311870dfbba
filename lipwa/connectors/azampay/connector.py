"""AzamPay (Tanzania): MNO checkout (USSD push) for every Tanzanian wallet, bank checkout, status queries,
disbursements and name lookup (PROVIDERS.md §4).

Flows only: what to send, and what each kind of answer means. HTTP lives in `client.py`, wire shapes and
status tables in `mapping.py`, input checks in `validation.py`, the callback in `webhooks.py`, payouts and
name lookup in `payouts.py`, configuration in `credentials.py`. The rules the flows follow (DESIGN.md §3):

- nothing invalid is ever sent: `validate_charge` refuses what AzamPay would refuse or round;
- our `externalId` is derived from the attempt id, so it is known before the call and is the gateway
  reference of every result, even when the answer was lost: the status query and the callback (whose
  `utilityref` is that id) can always find the checkout, and a re-query never charges twice;
- a request that was never sent (connection refused, token refused) is FAILED, safe to try again;
- a request whose answer was lost is UNKNOWN, never FAILED, and so is a status we do not know.

AzamPay has no documented status endpoint for collections (4.7). `charge_sync` uses the disbursement host's
`transactionstatus` endpoint, which the simulator also answers for collections (4.7, P); against the real
gateway an answer it does not give leaves the attempt UNKNOWN, to be settled by the callback and the core's
expiry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.phones import mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    AccountHolder,
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    ProbeResult,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import payouts, webhooks
from .client import AzamPayClient, Reply, TokenRefused, UnexpectedResponse
from .credentials import CREDENTIAL_FIELDS, AzamPayCredentials, environment_problem
from .mapping import (
    CURRENCY,
    NETWORK_PROVIDERS,
    PROCESSING,
    UNKNOWN,
    CheckoutResponse,
    Envelope,
    Outcome,
    ProblemDetails,
    external_id,
    http_status_outcome,
    refusal_outcome,
    status_outcome,
)
from .validation import provider_for, validate_amount, validate_bank, validate_phone

log = logging.getLogger("lipwa.connectors.azampay")

# Outcomes of requests that never reached AzamPay: both are safe to try again once fixed.
NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
# The prefix of the sub-paths at which the simulator serves each of AzamPay's three hosts (simulator/urls.py).
SIMULATOR_HOSTS = {"auth_base_url": "authenticator", "base_url": "checkout",
                   "disbursement_base_url": "disbursement"}


class AzamPayConnector(Connector):
    id = "azampay"
    display_name = "AzamPay"
    methods = frozenset({"mobile_money"})
    currencies = frozenset({CURRENCY})
    countries = frozenset({"TZ"})
    networks = frozenset(NETWORK_PROVIDERS)
    routing_priority = 20  # an aggregator: the networks' own gateways go first
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "azampay"
    credentials_probe_url_field = "auth_base_url"  # the token comes from the authenticator host
    default_expires_in_seconds = 15 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        base = simulator_base_url.rstrip("/")
        hosts = {field: f"{base}/{prefix}" for field, prefix in SIMULATOR_HOSTS.items()}
        return {**hosts, "app_name": "lipwa", "client_id": "sim_key", "client_secret": "sim_secret",
                "api_key": "sim_api_key", "payout_source_name": "Lipwa Demo", "payout_source_bank": "Azampesa",
                "payout_source_account": "255700000000"}

    # -- checkouts ----------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        validate_amount(request.amount)
        provider_for(validate_phone(request.phone), request.network)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Send the USSD push (4.3). Accepted means only that the prompt was sent: the result is PROCESSING."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        provider = provider_for(request.phone, request.network)
        reference = external_id("charge", request.attempt_id)
        msisdn = request.phone.msisdn
        log.info("AzamPay checkout for attempt %s to %s via %s as %s", request.attempt_id, mask_phone(msisdn),
                 provider, reference)
        return self._checkout(reference, {"provider": provider, "kind": "mno"}, lambda client: client.mno_checkout(
            account_number=msisdn, amount=str(request.amount.whole_major()), external_id=reference,
            provider=provider, callback_url=self.account.callback_url,
            additional_properties=_properties(request)))

    def bank_checkout(self, request: ChargeRequest, *, bank: str, account_number: str, otp: str) -> ChargeResult:
        """Charge a CRDB or NMB account with the OTP the bank sent the customer (4.4).

        `request.phone` is the account holder's mobile number; the result is settled like a mobile checkout
        (callback confirmed by a status query with `bankName` = the bank).
        """
        validate_amount(request.amount)
        phone = validate_phone(request.phone)
        provider = validate_bank(bank, account_number, otp)
        reference = external_id("charge", request.attempt_id)
        log.info("AzamPay bank checkout for attempt %s at %s as %s", request.attempt_id, provider, reference)
        return self._checkout(reference, {"provider": provider, "kind": "bank"}, lambda client: client.bank_checkout(
            amount=str(request.amount.whole_major()), account_number=account_number.strip(),
            mobile_number=phone.msisdn, merchant_name=request.customer_name or None, otp=otp.strip(),
            provider=provider, reference_id=reference, callback_url=self.account.callback_url,
            additional_properties=_properties(request)))

    def _checkout(self, reference: str, state: dict[str, str],
                  send: Callable[[AzamPayClient], CheckoutResponse | Reply]) -> ChargeResult:
        def result(outcome: Outcome, message: str = "", status: str = "", extra: dict | None = None):
            return _result(outcome, reference=reference, state={**state, **(extra or {})}, status=status,
                           message=message)

        try:
            with self._client() as client:
                reply = send(client)
        except ConnectorConfigError as exc:
            return result(NOT_CONFIGURED, str(exc))
        except GatewayUnreachable as exc:
            return result(UNREACHABLE, f"AzamPay could not be reached: {exc}")
        except OutcomeUnknown as exc:
            return result(UNKNOWN, f"no answer from AzamPay ({exc}); the status query will tell")
        except TokenRefused as exc:
            return result(NOT_CONFIGURED, str(exc), f"HTTP {exc.http_status}")
        except UnexpectedResponse as exc:
            log.warning("AzamPay checkout %s: %s", reference, exc)
            return result(http_status_outcome(exc.http_status), str(exc), f"HTTP {exc.http_status}")
        if isinstance(reply, CheckoutResponse) and reply.success:
            extra = {"transaction_id": reply.transaction_id} if reply.transaction_id else {}
            return result(PROCESSING, reply.message, "success", extra)
        outcome = _refusal(reply)
        log.warning("AzamPay refused checkout %s: HTTP %s %s", reference, reply.http_status, reply.message)
        return result(outcome, reply.message, f"HTTP {reply.http_status}")

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Ask `transactionstatus` (4.7, P for collections). It never gives the receipt or the amount."""
        reference = request.gateway_reference or external_id("charge", request.attempt_id)
        state = dict(request.connector_state)
        provider = state.get("provider") or _provider_of_phone(request)
        if not provider:
            return _result(UNKNOWN, reference=reference, message="the payer's provider is not known; waiting "
                                                                  "for AzamPay's callback")
        try:
            with self._client() as client:
                reply = client.transaction_status(reference=state.get("transaction_id") or reference,
                                                  bank_name=provider, external_id=reference)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, TokenRefused, UnexpectedResponse) as exc:
            # A query that fails says nothing about the payment; the core asks again later.
            log.warning("AzamPay status query for %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=f"status query failed: {exc}")
        if not isinstance(reply, Envelope) or not reply.success or not 200 <= reply.http_status < 300:
            # "Not found" or a refusal: the checkout may still exist (its answer may have been lost).
            log.warning("AzamPay status query for %s answered HTTP %s: %s", reference, reply.http_status,
                        reply.message)
            return _result(UNKNOWN, reference=reference, status=f"HTTP {reply.http_status}", message=reply.message)
        return _result(status_outcome(reply.data, reply.message), reference=reference, status=reply.data_text,
                       message=reply.message)

    def credentials_probe(self) -> ProbeResult:
        """A token from the authenticator (4.2): issued only for a valid client id and secret; moves no money."""
        with self._client() as client:
            try:
                client.access_token_renew()
            except TokenRefused as exc:
                detail = f": {exc.message}" if exc.message else ""
                return ProbeResult(False, f"AzamPay refused the client id/secret (HTTP {exc.http_status}{detail}) "
                                          f"at {client.credentials.auth_base_url}")
            return ProbeResult(True, f"{client.credentials.auth_base_url} answered the token request: AzamPay "
                                     "accepted the client id/secret")

    def _client(self) -> AzamPayClient:
        credentials = AzamPayCredentials.from_mapping(self.account.credentials)
        problem = environment_problem(self.account.mode, self.account.credentials)
        if problem:
            raise ConnectorConfigError(problem)
        return AzamPayClient(credentials, timeout_seconds=self.account.timeout_seconds)

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return webhooks.webhook_verify(inbound)

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)

    # -- disbursements and name lookup (payouts.py) -------------------------------------------------------

    def payout(self, request: PayoutRequest) -> OperationResult:
        return payouts.payout(self._client, request)

    def payout_sync(self, request: OperationSyncRequest) -> OperationResult:
        return payouts.payout_sync(self._client, request)

    def account_holder_lookup(self, phone_or_account: str, network: str | None = None) -> AccountHolder:
        return payouts.account_holder_lookup(self._client, phone_or_account, network)


# -- helpers ----------------------------------------------------------------------------------------------


def _properties(request: ChargeRequest) -> dict[str, str]:
    """`additionalProperties`, echoed in the callback (4.3): enough for a person to find the payment."""
    properties = {"payment_id": request.payment_id}
    if request.merchant_reference:
        properties["merchant_reference"] = request.merchant_reference[:128]
    return properties


def _refusal(reply: CheckoutResponse | Reply) -> Outcome:
    phone_refused = isinstance(reply, ProblemDetails) and (reply.mentions("accountNumber")
                                                          or reply.mentions("merchantMobileNumber"))
    return refusal_outcome(reply.http_status, reply.message, phone_refused=phone_refused)


def _provider_of_phone(request: SyncRequest) -> str | None:
    """The provider the charge used, when its result was never stored (a crash right after the call)."""
    if request.phone is None:
        return None
    try:
        return provider_for(request.phone, None)
    except ConnectorInputError:
        return None


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None) -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message, connector_state=state or {})
