"""Paystack: card checkout by redirect, mobile money through the Charge API, saved-card charges, refunds.

Flows only: what to send, and what each kind of answer means. HTTP lives in `client.py`, wire shapes and
status tables in `mapping.py`, webhooks in `webhooks.py`, refunds in `refunds.py`. The rules (DESIGN.md §3):

- lipwa chooses the transaction reference, derived from the attempt id, so that a lost answer is settled by
  verifying that reference, never by charging again (PROVIDERS.md 6.9);
- a request that was never sent, or that Paystack refused, is FAILED and safe to try again;
- a request whose answer was lost, a 5xx, or a status we do not know is UNKNOWN, and verify resolves it;
- a step the customer must take (checkout page, OTP, phone prompt) is REQUIRES_ACTION with a next_action,
  and stays so while verify says the customer has not finished.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.networks import detect_networks
from lipwa.common.phones import Phone, mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    OperationResult,
    OperationSyncRequest,
    ProbeResult,
    RefundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import refunds, webhooks
from .client import PaystackClient, UnexpectedResponse
from .credentials import CREDENTIAL_FIELDS, EMAIL_PATTERN, TEST_KEY_PREFIX, PaystackCredentials
from .mapping import (
    AWAITING_CUSTOMER,
    COUNTRIES,
    COUNTRY_CURRENCY,
    CURRENCIES,
    NETWORK_COUNTRY,
    NETWORK_PROVIDERS,
    REFERENCE_PATTERN,
    REFERENCE_PREFIX,
    UNKNOWN,
    ApiError,
    InitializeData,
    Outcome,
    Transaction,
    WireFormatError,
    charge_next_action,
    http_status_outcome,
    initiate_error_outcome,
    transaction_outcome,
    wire_amount,
)

log = logging.getLogger("lipwa.connectors.paystack")

_NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
_UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
_REFERENCE_NAMESPACE = uuid.UUID("6f1c5a52-3d7e-4c4b-9a51-7d4f0c1e2b93")
_OTP = re.compile(r"\d{4,10}")


def transaction_reference(attempt_id: str) -> str:
    """The reference lipwa gives Paystack for an attempt: `lipwa-att-01HZ…`, readable in Paystack's dashboard.

    Paystack takes only alphanumerics, `-`, `.` and `=` (6.2), so the id's underscore becomes a dash; an id of
    another shape gets a UUIDv5 instead. Either way the same attempt always gets the same reference.
    """
    if re.fullmatch(r"[A-Za-z0-9_]{1,80}", attempt_id):
        return REFERENCE_PREFIX + attempt_id.replace("_", "-")
    return REFERENCE_PREFIX + str(uuid.uuid5(_REFERENCE_NAMESPACE, attempt_id))


class PaystackConnector(Connector):
    id = "paystack"
    display_name = "Paystack"
    methods = frozenset({"card", "mobile_money"})
    currencies = CURRENCIES
    countries = COUNTRIES
    networks = frozenset(NETWORK_PROVIDERS)
    routing_priority = 30  # a card processor's mobile-money rail: networks' own gateways go first
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "paystack"
    # A card checkout with 3-D Secure takes longer than answering a phone prompt.
    default_expires_in_seconds = 30 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return {"base_url": simulator_base_url, "secret_key": "sim_secret", "public_key": "sim_key",
                "fallback_email": "customers@example.com"}

    @classmethod
    def environment_of(cls, credentials: Mapping[str, str]) -> str:
        """Paystack has one host for test and live; the secret key's prefix selects the mode (PROVIDERS.md 6.1).

        So a `sk_test_` key on api.paystack.co is a sandbox, and only a key that is not a test key can be
        production. A simulator URL is a simulator whatever the key.
        """
        by_url = super().environment_of(credentials)
        if by_url != "production":
            return by_url
        secret = str(credentials.get("secret_key") or "").strip()
        return "sandbox" if secret.startswith(TEST_KEY_PREFIX) else "production"

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        _validate_amount(request)
        if _is_mobile_money(request):
            _mobile_money_provider(request)
        else:
            self._email(request)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Mobile money: a Charge API request (6.4). Card: an initialized checkout the customer is sent to (6.2)."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        reference = transaction_reference(request.attempt_id)
        amount = wire_amount(request.amount)
        metadata = {"lipwa_payment_id": request.payment_id, "lipwa_attempt_id": request.attempt_id,
                    "merchant_reference": request.merchant_reference}
        if _is_mobile_money(request):
            provider = _mobile_money_provider(request)
            phone = _wire_phone(request.phone, provider)
            log.info("Paystack %s charge for attempt %s to %s as %s", provider, request.attempt_id,
                     mask_phone(request.phone.msisdn), reference)
            return self._call(reference, lambda client: client.charge_mobile_money(
                email=self._email(request), amount=amount, currency=request.amount.currency, reference=reference,
                phone=phone, provider=provider, metadata=metadata))
        return self._call(reference, lambda client: client.initialize(
            email=self._email(request), amount=amount, currency=request.amount.currency, reference=reference,
            callback_url=request.return_url, channels=["card"], metadata=metadata))

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Verify the transaction (6.3). The reference is ours, so even a lost initiate answer can be verified."""
        reference = request.gateway_reference or transaction_reference(request.attempt_id)
        try:
            credentials = self._credentials()
            with self._client(credentials) as client:
                reply = client.verify(reference)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, UnexpectedResponse) as exc:
            # A query that fails says nothing about the payment; the core asks again later.
            log.warning("Paystack verify of %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=f"verify failed: {exc}")
        if isinstance(reply, ApiError):
            # 404 "Transaction reference not found" may be an initialize that never landed, or one not yet
            # visible; only lipwa's own expiry may end the payment, never this answer.
            return _result(UNKNOWN, reference=reference, status=f"HTTP {reply.http_status}", message=reply.message)
        return _transaction_result(reply, reference, stored_state=request.connector_state)

    def submit_otp(self, gateway_reference: str, otp: str) -> ChargeResult:
        """Send the OTP (or Telecel voucher) a `send_otp` step asked for (6.4); the answer is the next step."""
        if not isinstance(otp, str) or not _OTP.fullmatch(otp.strip()):
            raise ConnectorInputError("otp must be the 4 to 10 digits the customer received", param="otp",
                                      code="invalid_otp")
        if not isinstance(gateway_reference, str) or not REFERENCE_PATTERN.fullmatch(gateway_reference):
            raise ConnectorInputError("gateway_reference is not a Paystack transaction reference",
                                      param="gateway_reference", code="invalid_reference")
        return self._call(gateway_reference, lambda client: client.submit_otp(reference=gateway_reference,
                                                                              otp=otp.strip()),
                          follow_up=True)

    def charge_saved_authorization(self, request: ChargeRequest, authorization_code: str,
                                   email: str) -> ChargeResult:
        """Charge a reusable card authorization again, e.g. a recurring premium (6.5).

        `authorization_code` and `email` are what a successful card charge left in its connector_state
        (`authorization_code`, `customer_email`); Paystack wants the email of the authorization's customer.
        """
        _validate_amount(request)
        if not isinstance(authorization_code, str) or not authorization_code.strip().startswith("AUTH_"):
            raise ConnectorInputError("authorization_code must be a Paystack authorization code (AUTH_…)",
                                      param="authorization_code", code="invalid_authorization")
        if not EMAIL_PATTERN.fullmatch(email or ""):
            raise ConnectorInputError("email must be the email of the card's customer", param="email",
                                      code="invalid_email")
        reference = transaction_reference(request.attempt_id)
        return self._call(reference, lambda client: client.charge_authorization(
            email=email, amount=wire_amount(request.amount), currency=request.amount.currency, reference=reference,
            authorization_code=authorization_code.strip(),
            metadata={"lipwa_payment_id": request.payment_id, "lipwa_attempt_id": request.attempt_id}))

    # -- the generic hooks of Connector, backed by the methods above ------------------------------------

    def action_submit(self, request: SyncRequest, action: str, value: str) -> ChargeResult:
        if action != "otp":
            return super().action_submit(request, action, value)
        return self.submit_otp(request.gateway_reference or transaction_reference(request.attempt_id), value)

    def saved_instrument(self, connector_state) -> dict[str, str] | None:
        code, email = connector_state.get("authorization_code"), connector_state.get("customer_email")
        if not code or not email:  # only a reusable authorization is ever kept (webhooks.authorization_state)
            return None
        return {"authorization_code": code, "email": email}

    def charge_saved(self, request: ChargeRequest, instrument) -> ChargeResult:
        return self.charge_saved_authorization(request, instrument.get("authorization_code", ""),
                                               instrument.get("email", ""))

    def _call(self, reference: str, send: Callable[[PaystackClient], object], *,
              follow_up: bool = False) -> ChargeResult:
        """Send one request about the transaction `reference` and classify what came back.

        `follow_up` marks a request about a transaction that already exists (submit_otp): unless Paystack
        answered with the transaction itself, the transaction is just where it was (the request was not sent,
        was refused or was unreadable), so the answer is UNKNOWN and verify tells the step.
        """
        result, about_the_transaction = self._send_and_classify(reference, send)
        if follow_up and not about_the_transaction:
            return _result(UNKNOWN, reference=reference, status=result.gateway_status, message=result.gateway_message)
        return result

    def _send_and_classify(self, reference: str, send: Callable[[PaystackClient], object]) -> tuple[ChargeResult, bool]:
        """(result, whether Paystack answered with the transaction itself)."""
        try:
            credentials = self._credentials()
        except ConnectorConfigError as exc:
            return _result(_NOT_CONFIGURED, message=str(exc)), False
        try:
            with self._client(credentials) as client:
                reply = send(client)
        except OutcomeUnknown as exc:
            log.warning("Paystack request for %s sent but not answered (%s); outcome unknown", reference, exc)
            return _result(UNKNOWN, reference=reference,
                           message="Paystack did not answer; the outcome is unknown until verified"), False
        except GatewayUnreachable as exc:
            return _result(_UNREACHABLE, message=f"Paystack could not be reached, so nothing was sent: {exc}"), False
        except UnexpectedResponse as exc:
            log.warning("Paystack request for %s: %s", reference, exc)
            return _refusal(http_status_outcome(exc.http_status), reference, exc.http_status, str(exc)), False
        if isinstance(reply, ApiError):
            log.warning("Paystack refused the request for %s: HTTP %s %s", reference, reply.http_status,
                        reply.message)
            return _refusal(initiate_error_outcome(reply), reference, reply.http_status, reply.message), False
        if isinstance(reply, Transaction):
            return _transaction_result(reply, reference), True
        return _initialized_result(reply, reference), True

    def credentials_probe(self) -> ProbeResult:
        """`GET /balance` with the secret key: a read that Paystack answers only for a valid key."""
        credentials = self._credentials()
        try:
            with PaystackClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                reply = client.balance()
        except UnexpectedResponse as exc:
            return ProbeResult(False, f"{credentials.base_url} answered the balance request unexpectedly "
                                      f"(HTTP {exc.http_status}): {exc.detail}")
        if isinstance(reply, ApiError):
            # 401 is Paystack's answer to a wrong key (6.1); any other refusal is not about the key.
            what = "the secret key" if reply.http_status in (401, 403) else "the balance request"
            return ProbeResult(False, f"Paystack refused {what} (HTTP {reply.http_status}: {reply.message}) at "
                                      f"{credentials.base_url}")
        return ProbeResult(True, f"{credentials.base_url} answered the balance request: Paystack accepted the "
                                 "secret key")

    def _credentials(self) -> PaystackCredentials:
        return PaystackCredentials.from_mapping(self.account.credentials, self.account.mode)

    def _client(self, credentials: PaystackCredentials) -> PaystackClient:
        return PaystackClient(credentials, timeout_seconds=self.account.timeout_seconds,
                              webhook_url=self.account.callback_url)

    def _email(self, request: ChargeRequest) -> str:
        """Paystack requires an email (6.2): the customer's, else the account's fallback."""
        email = request.customer_email.strip() or str(self.account.credentials.get("fallback_email") or "").strip()
        if not email:
            raise ConnectorInputError("Paystack needs the customer's email: send customer.email, or set a fallback "
                                      "customer email on the Paystack account", param="customer.email",
                                      code="email_required")
        if not EMAIL_PATTERN.fullmatch(email):
            raise ConnectorInputError("customer.email is not an email address", param="customer.email",
                                      code="invalid_email")
        return email

    # -- refunds ------------------------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> OperationResult:
        return refunds.refund_send(self._credentials, self._client, request)

    def refund_sync(self, request: OperationSyncRequest) -> OperationResult:
        return refunds.refund_query(self._credentials, self._client, request)

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return webhooks.webhook_verify(inbound, str(self.account.credentials.get("secret_key") or ""))

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)


# -- validation -------------------------------------------------------------------------------------------


def _is_mobile_money(request: ChargeRequest) -> bool:
    """The method the merchant asked for. A caller that does not say (a direct connector call) gets it
    inferred: a payer phone from a country where Paystack charges mobile money, in that country's currency,
    is mobile money; anything else (an NGN payment with the customer's Nigerian phone, say) is a card."""
    if request.method:
        return request.method == "mobile_money"
    phone = request.phone
    return phone is not None and COUNTRY_CURRENCY.get(phone.country) == request.amount.currency


def _validate_amount(request: ChargeRequest) -> None:
    amount = request.amount
    if amount.currency not in CURRENCIES:
        raise ConnectorInputError(f"Paystack takes {', '.join(sorted(CURRENCIES))}, not {amount.currency}",
                                  param="currency", code="currency_not_supported")
    if amount.amount_minor <= 0:
        raise ConnectorInputError(f"amount {amount.amount_minor} must be at least 1 (one subunit)", param="amount",
                                  code="amount_too_small")
    try:
        wire_amount(amount)
    except ValueError:
        raise ConnectorInputError(f"{amount} cannot be written in Paystack's subunits", param="amount",
                                  code="amount_precision") from None


def _mobile_money_provider(request: ChargeRequest) -> str:
    """The Charge API provider code for the payer (6.4), from the network the core chose or the prefix."""
    phone = request.phone
    if phone is None:
        raise ConnectorInputError("phone is required for mobile money through Paystack", param="phone",
                                  code="phone_required")
    network = request.network if request.network in NETWORK_PROVIDERS else None
    if network is None and not request.network:
        network = next((n for n in detect_networks(phone) if n in NETWORK_PROVIDERS), None)
    if network is None or NETWORK_COUNTRY[network] != phone.country:
        raise ConnectorInputError(
            f"Paystack charges mobile money on MTN, Telecel and AirtelTigo in Ghana and M-Pesa in Kenya; "
            f"{mask_phone(phone.msisdn)} ({request.network or 'unknown network'}) is not one of them",
            param="network", code="network_not_supported")
    currency = COUNTRY_CURRENCY[phone.country]
    if request.amount.currency != currency:
        raise ConnectorInputError(f"mobile money in {phone.country} is charged in {currency}, not "
                                  f"{request.amount.currency}", param="currency", code="currency_not_supported")
    return NETWORK_PROVIDERS[network]


def _wire_phone(phone: Phone, provider: str) -> str:
    """Ghana's numbers in local form (`0553241149`), M-Pesa's in international form (`+2547…`), as 6.4 shows."""
    if provider == "mpesa":
        return phone.e164
    return "0" + phone.national_significant


# -- results ----------------------------------------------------------------------------------------------


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "") -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message)


def _refusal(outcome: Outcome, reference: str, http_status: int, message: str) -> ChargeResult:
    """An error answer: the reference rides along only when Paystack may hold the transaction (UNKNOWN)."""
    keep = reference if outcome.status is ResultStatus.UNKNOWN else None
    return _result(outcome, reference=keep, status=f"HTTP {http_status}", message=message)


def _initialized_result(reply: InitializeData, reference: str) -> ChargeResult:
    """An initialized checkout: the customer pays on Paystack's page at `authorization_url` (6.2)."""
    if reply.reference != reference:
        log.error("Paystack initialized %s but was asked for %s; verifying ours", reply.reference, reference)
        return _result(UNKNOWN, reference=reference, message="Paystack answered about another reference")
    return ChargeResult(
        status=ResultStatus.REQUIRES_ACTION, gateway_reference=reference, gateway_status="initialized",
        gateway_message="Authorization URL created", next_action={"type": "redirect", "url": reply.authorization_url},
        # Kept so that a status query while the customer is still on the page can show the same page again.
        connector_state={"authorization_url": reply.authorization_url, "access_code": reply.access_code},
    )


def _transaction_result(transaction: Transaction, reference: str,
                        stored_state: Mapping[str, str] | None = None) -> ChargeResult:
    if transaction.reference != reference:
        log.error("Paystack answered about %s when asked about %s", transaction.reference, reference)
        return _result(UNKNOWN, reference=reference, message="Paystack answered about another reference")
    outcome = transaction_outcome(transaction.status, transaction.gateway_response)
    state: dict[str, str] = {}
    action = charge_next_action(transaction.status, transaction.display_text, transaction.url)
    if action is not None:
        # Remembered, because verify later says only "ongoing" while the customer still has this to do.
        state = {"charge_status": transaction.status, "display_text": str(action.get("text", ""))}
    elif transaction.status in AWAITING_CUSTOMER:
        action = stored_next_action(stored_state or {})
    state.update(webhooks.authorization_state(transaction))
    try:
        amount = transaction.money()
    except WireFormatError as exc:
        log.error("Paystack reported an unusable amount for %s: %s", reference, exc)
        return _result(UNKNOWN, reference=reference, message=str(exc))
    message = transaction.gateway_response or transaction.display_text
    return ChargeResult(
        status=ResultStatus.REQUIRES_ACTION if action else outcome.status,
        failure_code=None if action else outcome.failure_code, gateway_reference=reference,
        gateway_status=transaction.status, gateway_message=message, amount=amount,
        receipt_number=transaction.receipt_number or None, next_action=action, connector_state=state,
    )


def stored_next_action(state: Mapping[str, str]) -> dict[str, str] | None:
    """The step the customer was last asked to take, from an attempt's connector_state."""
    if state.get("authorization_url"):
        return {"type": "redirect", "url": state["authorization_url"]}
    return charge_next_action(state.get("charge_status", ""), state.get("display_text", ""))
