"""Airtel Money Africa (Open API): collection by USSD push, enquiry, callbacks, refund, disbursement, KYC.

Flows only: what to send, and what each kind of answer means. HTTP lives in `client.py`, wire shapes and status
tables in `mapping.py`, signing in `signing.py`, the callback in `webhooks.py`, refunds, payouts and name
lookups in `operations.py`, configuration in `credentials.py`. The rules the flows follow (DESIGN.md §3):

- nothing invalid is ever sent: `validate_charge` refuses what Airtel would refuse or truncate;
- a request that was never sent (connection refused, token or key unavailable) is FAILED, safe to try again;
- a request whose answer was lost is UNKNOWN, never FAILED: the enquiry or the callback resolves it;
- a code we do not know is UNKNOWN too, and is queried again; so are Airtel's ambiguous answers (TA,
  DP00800001000), however many enquiries they take.

Airtel lets us choose `transaction.id` and keys its enquiry and callback by it (§3.4, §3.5), so the id is
derived from the attempt id: an answer lost in flight is still enquired by the same id, and a retry can never
charge twice under two ids.
"""

from __future__ import annotations

import logging
import uuid

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.phones import mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.types import (
    AccountHolder,
    ChargeRequest,
    ChargeResult,
    InboundRequest,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    ProbeResult,
    RefundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import operations, webhooks
from .client import AirtelClient, KeyUnavailable, TokenRefused, UnexpectedResponse
from .credentials import CREDENTIAL_FIELDS, SIGNING_ENABLED, AirtelCredentials
from .mapping import (
    COLLECTION_CODES,
    COUNTRIES,
    CURRENCIES,
    NOT_SENT_CONFIGURATION,
    NOT_SENT_UNAVAILABLE,
    UNKNOWN,
    ApiResponse,
    Outcome,
    collection_outcome,
    http_status_outcome,
    reply_outcome,
)
from .operations import prompt_reference, validate_wallet

log = logging.getLogger("lipwa.connectors.airtel")

# Fixed forever: changing it would change the transaction ids of attempts already in flight.
TRANSACTION_ID_NAMESPACE = uuid.UUID("6f1d2c4e-8a57-4b0e-9d3a-2f6c1b7e5a90")
SIMULATOR_PIN = "1234"


def charge_transaction_id(attempt_id: str) -> str:
    """`transaction.id` of a collection: 32 hex digits, the same for every send of one attempt."""
    return uuid.uuid5(TRANSACTION_ID_NAMESPACE, f"charge:{attempt_id}").hex


class AirtelConnector(Connector):
    id = "airtel"
    display_name = "Airtel Money"
    methods = frozenset({"mobile_money"})
    currencies = CURRENCIES
    countries = COUNTRIES
    networks = frozenset({"airtel"})
    routing_priority = 10  # Airtel's own gateway
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "airtel"
    default_expires_in_seconds = 15 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        # The simulator's app has authenticated callbacks enabled with its client secret (DESIGN.md §6:
        # signing secrets default to sim_secret), and its disbursement wallet's PIN is 1234.
        return {"base_url": simulator_base_url, "client_id": "sim_key", "client_secret": "sim_secret",
                "message_signing": SIGNING_ENABLED, "callback_secret": "sim_secret", "pin": SIMULATOR_PIN}

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        validate_wallet(request.phone, request.amount, request.network)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Send a USSD push. Accepted means only that the prompt was sent: the result is PROCESSING."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        phone, amount = request.phone, request.amount  # validate_charge guarantees a phone
        reference = charge_transaction_id(request.attempt_id)
        # Kept on the attempt: the enquiry needs X-Country, and a refund must be for the whole amount (§3.7).
        state = {"country": phone.country, "currency": amount.currency, "amount_minor": str(amount.amount_minor)}
        try:
            credentials = AirtelCredentials.from_mapping(self.account.credentials)
        except ConnectorConfigError as exc:
            return _result(NOT_SENT_CONFIGURATION, message=str(exc))
        msisdn = phone.national_significant
        try:
            with self._client(credentials, phone.country, amount.currency) as client:
                reply = client.collect(transaction_id=reference, msisdn=msisdn, amount=amount.whole_major(),
                                       reference=prompt_reference(request), callback_url=self.account.callback_url)
        except OutcomeUnknown as exc:
            log.warning("USSD push %s for attempt %s sent but not answered (%s); outcome unknown", reference,
                        request.attempt_id, exc)
            return _result(UNKNOWN, reference=reference, state=state,
                           message="Airtel did not answer the USSD push; the outcome is unknown")
        except (GatewayUnreachable, KeyUnavailable) as exc:
            return _result(NOT_SENT_UNAVAILABLE, message=f"Airtel could not be reached, so nothing was sent: {exc}")
        except TokenRefused as exc:
            return _result(NOT_SENT_CONFIGURATION, message=str(exc), status=f"HTTP {exc.http_status}")
        except UnexpectedResponse as exc:
            log.warning("USSD push %s for attempt %s: %s", reference, request.attempt_id, exc)
            outcome = http_status_outcome(exc.http_status)
            return _result(outcome, reference=_reference_if_open(outcome, reference), state=state,
                           message=str(exc), status=f"HTTP {exc.http_status}")
        outcome = collection_outcome(reply)
        log.info("USSD push %s for attempt %s to %s: %s (%s)", reference, request.attempt_id, mask_phone(msisdn),
                 outcome.status, reply.response_code or f"HTTP {reply.http_status}")
        return _reply_result(outcome, reply, reference, state)

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Enquire by our transaction id (§3.5). The id is derived, so even a push never answered is asked."""
        reference = request.gateway_reference or charge_transaction_id(request.attempt_id)
        state = dict(request.connector_state)
        country = state.get("country") or (request.phone.country if request.phone else "")
        currency = state.get("currency") or request.amount.currency
        if not country:
            return _result(UNKNOWN, reference=reference, message="the payer's country is unknown, so Airtel "
                                                                 "cannot be asked (X-Country)")
        try:
            credentials = AirtelCredentials.from_mapping(self.account.credentials)
            with self._client(credentials, country, currency) as client:
                reply = client.enquire(reference)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, TokenRefused, UnexpectedResponse) as exc:
            # An enquiry that fails says nothing about the payment; the core asks again later.
            log.warning("enquiry for %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=f"enquiry failed: {exc}")
        echoed = reply.transaction.id if reply.transaction else ""
        if echoed and echoed != reference:
            # An answer about another transaction must never settle this one.
            log.error("enquiry for %s answered about %s", reference, echoed)
            return _result(UNKNOWN, reference=reference, message="the enquiry answered about another transaction")
        outcome = reply_outcome(reply, COLLECTION_CODES, "enquiry")
        return _reply_result(outcome, reply, reference, {"country": country, "currency": currency})

    def credentials_probe(self) -> ProbeResult:
        """An OAuth token (§3.2): issued only for a valid client id and secret; moves no money."""
        credentials = AirtelCredentials.from_mapping(self.account.credentials)
        # The token endpoint takes no X-Country / X-Currency: they matter only to the calls after it.
        try:
            with self._client(credentials, "", "") as client:
                client.access_token_renew()
        except TokenRefused as exc:
            return ProbeResult(False, f"Airtel refused the client id/secret (HTTP {exc.http_status}) at "
                                      f"{credentials.base_url}")
        return ProbeResult(True, f"{credentials.base_url} answered the OAuth token request: Airtel accepted the "
                                 "client id/secret")

    def _client(self, credentials: AirtelCredentials, country: str, currency: str) -> AirtelClient:
        return AirtelClient(credentials, country=country, currency=currency,
                            timeout_seconds=self.account.timeout_seconds)

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        # Read the secret straight from the mapping: a callback must be judged even if other fields are broken.
        secret = str(self.account.credentials.get("callback_secret") or "").strip()
        return webhooks.webhook_verify(inbound, secret)

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)

    # -- refunds, payouts and name lookup (operations.py) -------------------------------------------------

    def refund(self, request: RefundRequest) -> OperationResult:
        return operations.refund(self.account, request)

    def payout(self, request: PayoutRequest) -> OperationResult:
        return operations.payout(self.account, request)

    def payout_sync(self, request: OperationSyncRequest) -> OperationResult:
        return operations.payout_sync(self.account, request)

    def account_holder_lookup(self, phone_or_account: str, network: str | None = None) -> AccountHolder:
        return operations.account_holder_lookup(self.account, phone_or_account, network)


# -- results ----------------------------------------------------------------------------------------------


def _reference_if_open(outcome: Outcome, reference: str) -> str | None:
    """The transaction id, unless the request certainly created nothing (then there is nothing to enquire)."""
    return None if outcome in (NOT_SENT_UNAVAILABLE, NOT_SENT_CONFIGURATION) else reference


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None, receipt: str | None = None) -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message, connector_state=state or {},
                        receipt_number=receipt)


def _reply_result(outcome: Outcome, reply: ApiResponse, reference: str, state: dict[str, str]) -> ChargeResult:
    airtel_money_id = reply.transaction.airtel_money_id if reply.transaction else ""
    if airtel_money_id:
        state = {**state, "airtel_money_id": airtel_money_id}
    transaction_status = reply.transaction.status if reply.transaction else ""
    gateway_status = "/".join(part for part in (transaction_status, reply.response_code) if part)
    succeeded = outcome.status is ResultStatus.SUCCEEDED
    return _result(outcome, reference=reference, state=state, message=reply.message,
                   status=gateway_status or f"HTTP {reply.http_status}",
                   receipt=airtel_money_id if succeeded and airtel_money_id else None)
