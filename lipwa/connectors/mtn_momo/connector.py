"""MTN MoMo Open API: collection (request to pay) with refunds, payouts and name lookup through disbursement.

Flows only: what to send, and what each kind of answer means. HTTP lives in `client.py`, wire shapes and status
tables in `mapping.py`, the callback in `webhooks.py`, configuration in `credentials.py`. The rules (DESIGN.md §3):

- nothing invalid is ever sent: `validate_charge` refuses what MTN would refuse, including a currency that the
  account's target environment does not settle in (the sandbox takes EUR only, PROVIDERS.md 2.4);
- every X-Reference-Id is derived from lipwa's own id of the operation, so the reference is known before the
  call, is returned even when the answer is lost, and a repeated call meets MTN's 409 instead of charging twice;
- a request that was never sent is FAILED, safe to try again; a request whose answer was lost is UNKNOWN and
  the status query resolves it; an error that does not say whether the request exists is settled at once by
  asking for that reference (2.4: a 404 then means nothing was created).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.money import Money
from lipwa.common.phones import InvalidPhone, Phone, mask_phone, parse_phone
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
    RefundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import webhooks
from .client import MomoClient, TokenRefused
from .credentials import CREDENTIAL_FIELDS, SANDBOX, TARGET_ENVIRONMENTS, MomoCredentials, TargetEnvironment
from .mapping import (
    MSISDN_PATTERN,
    NOT_FOUND_CODE,
    NOTE_MAX_CHARS,
    REFUND,
    REQUEST_TO_PAY,
    TRANSFER,
    UNKNOWN,
    Answer,
    Outcome,
    TransactionStatus,
    amount_wire,
    initiate_outcome,
    status_outcome,
    x_reference_id,
)

log = logging.getLogger("lipwa.connectors.mtn_momo")

_NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
_UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
# The simulator's pre-provisioned subscription key (its docstring); API user and key are sim_key / sim_secret.
SIMULATOR_SUBSCRIPTION_KEY = "sim_subscription_key"
# Uganda, so that the demo and the contract battery charge UGX to Ugandan numbers as production would.
SIMULATOR_TARGET_ENVIRONMENT = "mtnuganda"


# Keys that subscribe an account to the disbursement product; without them it only collects.
_DISBURSEMENT_KEYS = ("disbursement_subscription_key", "disbursement_api_user", "disbursement_api_key")


@dataclass(frozen=True, slots=True)
class Reply:
    """MTN's answer to one operation, before it becomes a ChargeResult or an OperationResult."""

    outcome: Outcome
    reference: str
    gateway_status: str = ""
    message: str = ""
    body: TransactionStatus | None = None  # the status body, when the answer came from a status query


class MtnMomoConnector(Connector):
    id = "mtn_momo"
    display_name = "MTN MoMo"
    methods = frozenset({"mobile_money"})
    currencies = frozenset(c for env in TARGET_ENVIRONMENTS.values() for c in env.currencies)
    countries = frozenset(env.country for env in TARGET_ENVIRONMENTS.values() if env.country)
    networks = frozenset({"mtn"})
    routing_priority = 10  # MTN's own gateway
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "mtn_momo"
    # Twice MTN's approval window of about 5 minutes (2.11), so MTN's own EXPIRED arrives before lipwa gives up.
    default_expires_in_seconds = 10 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return {"base_url": simulator_base_url, "target_environment": SIMULATOR_TARGET_ENVIRONMENT,
                "subscription_key": SIMULATOR_SUBSCRIPTION_KEY, "api_user": "sim_key", "api_key": "sim_secret"}

    def credentials_probe(self) -> ProbeResult:
        """A collection token (2.3): issued only for a valid API user, API key and subscription key; it moves
        no money. Disbursement keys, when the account has its own, are checked the same way."""
        credentials = self._credentials_or_raise()
        products = [credentials.collection]
        # Without keys of its own the disbursement product is not subscribed to (2.1): nothing to check.
        if any(str(self.account.credentials.get(name) or "").strip() for name in _DISBURSEMENT_KEYS):
            products.append(credentials.disbursement)
        for product in products:
            try:
                with self._client(credentials, product.product) as client:
                    client.access_token_renew()
            except TokenRefused as exc:
                detail = f" {exc.code}" if exc.code else ""
                return ProbeResult(False, f"MTN MoMo refused the {product.product} API user/API key/subscription "
                                          f"key (HTTP {exc.http_status}{detail}) at {credentials.base_url}")
        names = " and ".join(product.product for product in products)
        return ProbeResult(True, f"{credentials.base_url} answered the {names} token request: MTN MoMo accepted "
                                 "the API user/API key/subscription key")

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        environment = self._environment()
        validate_amount(request.amount, environment)
        validate_phone(request.phone, environment)
        if request.network is not None and request.network != "mtn":
            raise ConnectorInputError(f"MTN MoMo charges MTN wallets only, not {request.network}", param="phone",
                                      code="network_not_supported")

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Send a request to pay. Accepted (202) means only that the prompt was queued: PROCESSING."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        reference = x_reference_id(REQUEST_TO_PAY, request.attempt_id)
        msisdn = request.phone.msisdn  # validate_charge guarantees a phone
        reply = self._initiate("collection", reference, lambda client: client.request_to_pay(
            reference=reference, amount=amount_wire(request.amount), currency=request.amount.currency,
            external_id=request.attempt_id, msisdn=msisdn, payer_message=payer_message(request),
            payee_note=payee_note(request), callback_url=self.account.callback_url or None),
            lambda client: client.request_to_pay_status(reference))
        log.info("request to pay %s for attempt %s to %s: %s", reference, request.attempt_id, mask_phone(msisdn),
                 reply.outcome.status)
        return _charge_result(reply)

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Ask MTN for the request's status. Without a recorded reference the derived one is asked for: it is
        exactly what the charge sent, even if the charge never learnt MTN's answer."""
        reference = request.gateway_reference or x_reference_id(REQUEST_TO_PAY, request.attempt_id)
        reply = self._query("collection", reference, lambda client: client.request_to_pay_status(reference),
                            expected_external_id=request.attempt_id)
        return _charge_result(reply)

    # -- refunds and payouts (the disbursement product, 2.10) ------------------------------------------------

    def refund(self, request: RefundRequest) -> OperationResult:
        validate_amount(request.amount, self._environment())
        reference = x_reference_id(REFUND, request.refund_id)
        note = note_text(request.reason) or "Refund"
        reply = self._initiate("disbursement", reference, lambda client: client.refund(
            reference=reference, amount=amount_wire(request.amount), currency=request.amount.currency,
            external_id=request.refund_id, payer_message=note, payee_note=note,
            reference_to_refund=request.charge_reference), lambda client: client.refund_status(reference))
        log.info("refund %s of %s for %s: %s", reference, request.charge_reference, request.refund_id,
                 reply.outcome.status)
        return _operation_result(reply)

    def refund_sync(self, request: OperationSyncRequest) -> OperationResult:
        reference = request.gateway_reference or x_reference_id(REFUND, request.operation_id)
        return _operation_result(self._query("disbursement", reference, lambda client: client.refund_status(reference),
                                             expected_external_id=request.operation_id))

    def payout(self, request: PayoutRequest) -> OperationResult:
        environment = self._environment()
        validate_amount(request.amount, environment)
        validate_phone(request.phone, environment)
        reference = x_reference_id(TRANSFER, request.payout_id)
        note = note_text(request.description) or "Payout"
        reply = self._initiate("disbursement", reference, lambda client: client.transfer(
            reference=reference, amount=amount_wire(request.amount), currency=request.amount.currency,
            external_id=request.payout_id, msisdn=request.phone.msisdn, payer_message=note, payee_note=note),
            lambda client: client.transfer_status(reference))
        log.info("transfer %s for payout %s to %s: %s", reference, request.payout_id, mask_phone(request.phone.msisdn),
                 reply.outcome.status)
        return _operation_result(reply)

    def payout_sync(self, request: OperationSyncRequest) -> OperationResult:
        reference = request.gateway_reference or x_reference_id(TRANSFER, request.operation_id)
        return _operation_result(self._query("disbursement", reference,
                                             lambda client: client.transfer_status(reference),
                                             expected_external_id=request.operation_id))

    def account_holder_lookup(self, phone_or_account: str, network: str | None = None) -> AccountHolder:
        """Whether an MSISDN has an active MTN wallet, and its holder's name where MTN tells (2.9).

        Raises ConnectorConfigError when MTN refuses our credentials and GatewayUnreachable when it cannot
        answer; a lookup moves no money, so there is no unknown outcome to track.
        """
        environment = self._environment()
        try:
            phone = parse_phone(phone_or_account, environment.country if environment else None)
        except InvalidPhone as exc:
            raise ConnectorInputError(str(exc), param="phone", code="invalid_phone") from None
        credentials = self._credentials_or_raise()
        try:
            with self._client(credentials, "collection") as client:
                active = client.account_holder_active(phone.msisdn)
                if active is not True:
                    return _holder_absent(active)
                name = client.basic_user_info(phone.msisdn)
        except TokenRefused as exc:
            raise ConnectorConfigError(str(exc)) from None
        except OutcomeUnknown as exc:
            raise GatewayUnreachable(f"MTN did not answer the account holder lookup ({exc})") from None
        return AccountHolder(found=True, name=name if isinstance(name, str) else "")

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return webhooks.webhook_verify(inbound)

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)

    # -- the shared shape of every operation ---------------------------------------------------------------

    def _environment(self) -> TargetEnvironment | None:
        """The account's target environment; None when it is not one we know (charge() then explains)."""
        name = str(self.account.credentials.get("target_environment") or "").strip() or SANDBOX
        return TARGET_ENVIRONMENTS.get(name)

    def _credentials_or_raise(self) -> MomoCredentials:
        return MomoCredentials.from_mapping(self.account.credentials)

    def _client(self, credentials: MomoCredentials, product: str) -> MomoClient:
        product_credentials = credentials.collection if product == "collection" else credentials.disbursement
        return MomoClient(product_credentials, target_environment=credentials.target_environment.name,
                          timeout_seconds=self.account.timeout_seconds)

    def _initiate(self, product: str, reference: str, send: Callable[[MomoClient], Answer],
                  query: Callable[[MomoClient], TransactionStatus | Answer]) -> Reply:
        try:
            credentials = self._credentials_or_raise()
        except ConnectorConfigError as exc:
            return Reply(_NOT_CONFIGURED, reference, message=str(exc))
        try:
            with self._client(credentials, product) as client:
                answer = send(client)
                outcome = initiate_outcome(answer.http_status, answer.code)
                if outcome.confirm:
                    return _confirm(client, reference, answer, query)
        except OutcomeUnknown as exc:
            log.warning("%s %s sent but not answered (%s); outcome unknown", product, reference, exc)
            return Reply(UNKNOWN, reference, message="MTN did not answer; the outcome is unknown")
        except GatewayUnreachable as exc:
            return Reply(_UNREACHABLE, reference, message=f"MTN could not be reached, so nothing was sent: {exc}")
        except TokenRefused as exc:
            return Reply(_NOT_CONFIGURED, reference, gateway_status=f"HTTP {exc.http_status}", message=str(exc))
        if outcome.status is not ResultStatus.PROCESSING:
            log.warning("MTN answered %s %s to %s: %s", answer.http_status, answer.code, reference, answer.message)
        return Reply(outcome, reference, _answer_status(answer), answer.message)

    def _query(self, product: str, reference: str, query: Callable[[MomoClient], TransactionStatus | Answer],
               *, expected_external_id: str) -> Reply:
        try:
            credentials = self._credentials_or_raise()
            with self._client(credentials, product) as client:
                body = query(client)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, TokenRefused) as exc:
            # A query that fails says nothing about the operation; the core asks again later.
            log.warning("status query for %s failed: %s", reference, exc)
            return Reply(UNKNOWN, reference, message=f"status query failed: {exc}")
        if isinstance(body, Answer):
            return _unanswered_query(reference, body)
        if body.external_id and body.external_id != expected_external_id:
            # An answer about someone else's request must never settle this one.
            log.error("status of %s names externalId %s, not %s", reference, body.external_id, expected_external_id)
            return Reply(UNKNOWN, reference, message="the status query answered about another request")
        return _status_reply(reference, body)


def _confirm(client: MomoClient, reference: str, answer: Answer,
             query: Callable[[MomoClient], TransactionStatus | Answer]) -> Reply:
    """Settle an answer that does not say whether the request was created by asking for its reference.

    MTN has answered, so the request is no longer in flight: a 404 now means nothing was created (2.4), except
    after a 409, which says the reference exists.
    """
    try:
        body = query(client)
    except (GatewayUnreachable, OutcomeUnknown, TokenRefused) as exc:
        log.warning("could not confirm %s after HTTP %s: %s", reference, answer.http_status, exc)
        return Reply(UNKNOWN, reference, _answer_status(answer), answer.message)
    if isinstance(body, TransactionStatus):
        return _status_reply(reference, body)
    if body.http_status == 404 and answer.http_status != 409:
        message = f"MTN answered {_answer_status(answer)} and has no request {reference}: nothing was created"
        return Reply(_UNREACHABLE, reference, _answer_status(answer), message)
    return Reply(UNKNOWN, reference, _answer_status(answer), answer.message)


def _unanswered_query(reference: str, answer: Answer) -> Reply:
    if answer.http_status == 404 and answer.code in (NOT_FOUND_CODE, ""):
        # Never created, or not yet (2.7). Only the initiate path may conclude "nothing was created".
        return Reply(UNKNOWN, reference, _answer_status(answer),
                     f"MTN has no request {reference} (yet); it will be asked again")
    log.warning("status query for %s refused: HTTP %s %s", reference, answer.http_status, answer.code)
    return Reply(UNKNOWN, reference, _answer_status(answer), answer.message)


def _status_reply(reference: str, body: TransactionStatus) -> Reply:
    outcome = status_outcome(body.status, body.reason_code)
    status = f"{body.status}/{body.reason_code}" if body.reason_code else body.status
    return Reply(outcome, reference, status, body.reason_message, body)


def _answer_status(answer: Answer) -> str:
    return f"HTTP {answer.http_status} {answer.code}".strip()


def _holder_absent(answer: bool | Answer) -> AccountHolder:
    if answer is False:
        return AccountHolder(found=False, raw={"result": False})
    if answer.http_status == 404:
        return AccountHolder(found=False, raw={"code": answer.code})
    if answer.http_status in (401, 403) or answer.code.startswith("NOT_ALLOWED"):
        raise ConnectorConfigError(f"MTN refused the account holder lookup: {_answer_status(answer)}")
    raise GatewayUnreachable(f"MTN could not look up the account holder: {_answer_status(answer)}")


def _charge_result(reply: Reply) -> ChargeResult:
    body = reply.body
    return ChargeResult(
        status=reply.outcome.status, failure_code=reply.outcome.failure_code, gateway_reference=reply.reference,
        gateway_status=reply.gateway_status, gateway_message=reply.message,
        receipt_number=(body.financial_transaction_id or None) if body else None,
        amount=body.amount if body else None, payer=(body.party_id or None) if body else None)


def _operation_result(reply: Reply) -> OperationResult:
    state = {"financial_transaction_id": reply.body.financial_transaction_id} if (
        reply.body and reply.body.financial_transaction_id) else {}
    return OperationResult(status=reply.outcome.status, failure_code=reply.outcome.failure_code,
                           gateway_reference=reply.reference, gateway_status=reply.gateway_status,
                           gateway_message=reply.message, connector_state=state)


# -- validation -------------------------------------------------------------------------------------------


def validate_amount(amount: Money, environment: TargetEnvironment | None) -> None:
    if environment is not None and amount.currency not in environment.currencies:
        allowed = " or ".join(environment.currencies)
        hint = (" (MTN's sandbox settles in EUR only; set the account's target environment to your country's, "
                "e.g. mtnuganda, to charge local currency)" if environment.name == SANDBOX else "")
        raise ConnectorInputError(f"MTN MoMo target environment {environment.name!r} takes {allowed}, not "
                                  f"{amount.currency}{hint}", param="currency", code="currency_not_supported")
    if amount.amount_minor <= 0:
        raise ConnectorInputError(f"amount {amount.amount_minor} is below MTN MoMo's minimum of 1 minor unit",
                                  param="amount", code="amount_too_small")


def validate_phone(phone: Phone | None, environment: TargetEnvironment | None) -> None:
    if phone is None:
        raise ConnectorInputError("phone is required for MTN MoMo: the payer's MTN number, e.g. +256772123456",
                                  param="phone", code="phone_required")
    if not MSISDN_PATTERN.fullmatch(phone.msisdn):
        raise ConnectorInputError(f"{mask_phone(phone.msisdn)} is not an MSISDN MTN accepts", param="phone",
                                  code="invalid_phone")
    # Each production environment serves one country's wallets; the sandbox takes any number (its test
    # numbers are Swedish, PROVIDERS.md 2.8).
    if environment is not None and environment.country and phone.country != environment.country:
        raise ConnectorInputError(
            f"MTN MoMo target environment {environment.name!r} serves {environment.country} numbers; "
            f"{mask_phone(phone.msisdn)} is from {phone.country}", param="phone", code="invalid_phone")


# -- what the payer sees ----------------------------------------------------------------------------------

# Apostrophes and other special characters in payerMessage/payeeNote make MTN answer 400 (2.4), so only plain
# ASCII letters, digits and simple punctuation are kept.
_NOTE_UNSAFE = re.compile(r"[^A-Za-z0-9 .,_#/-]")


def note_text(value: str, max_chars: int = NOTE_MAX_CHARS) -> str:
    """`value` made safe for payerMessage/payeeNote: accents dropped, unsafe characters removed, spaces
    collapsed, then cut to `max_chars`."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(_NOTE_UNSAFE.sub("", ascii_only).split())[:max_chars].strip()


def payer_message(request: ChargeRequest) -> str:
    """Shown to the payer: the description, else the merchant's reference, else the payment id."""
    return (note_text(request.description) or note_text(request.merchant_reference)
            or note_text(f"Payment {request.payment_id}"))


def payee_note(request: ChargeRequest) -> str:
    """In our own transaction history: the merchant's reference, else the payment id."""
    return note_text(request.merchant_reference) or note_text(request.payment_id)
