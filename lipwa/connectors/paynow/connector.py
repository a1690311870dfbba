"""Paynow (Zimbabwe): web checkout and express checkout (EcoCash, OneMoney, InnBucks), PROVIDERS.md §7.

Flows only: what to send, and what each kind of answer means for the charge. HTTP lives in `client.py`, the
hash in `signing.py`, wire shapes and status tables in `mapping.py`, the status update in `webhooks.py`, what
Paynow can take in `validation.py`, configuration in `credentials.py`. The rules the flows follow:

- the reference Paynow files the transaction under is ours, derived from the attempt id, and is returned as
  the gateway reference on every answer that may have created something, so status updates find the attempt
  even when the initiate answer was lost;
- an answer whose hash is wrong is never trusted and never fails a payment: it is UNKNOWN and polled again;
- a request that was never sent is FAILED, safe to try again; one whose answer was lost is UNKNOWN;
- a status we do not know is UNKNOWN too, and is polled again.
"""

from __future__ import annotations

import logging

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.phones import mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import validation, webhooks
from .client import InitiateReply, Initiation, PaynowClient, PollReply, UnexpectedResponse, UnsafePollUrl
from .credentials import CREDENTIAL_FIELDS, PaynowCredentials
from .mapping import (
    STATUSES_FOR_OPERATIONS,
    UNKNOWN,
    Outcome,
    WireFormatError,
    authorization_expires_at,
    http_status_outcome,
    initiate_error_outcome,
    normalize_status,
    status_outcome,
)

log = logging.getLogger("lipwa.connectors.paynow")

_NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
_UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
_PROCESSING = Outcome(ResultStatus.PROCESSING)
_REQUIRES_ACTION = Outcome(ResultStatus.REQUIRES_ACTION)
# The simulator's merchant login (its integration `sim_key` is in test mode, PROVIDERS.md 7.8).
SIMULATOR_MERCHANT_EMAIL = "merchant@example.com"


def paynow_reference_for(attempt_id: str) -> str:
    """The `reference` Paynow files the transaction under (7.2): unique per transaction, and known before the
    call, so that a status update can find an attempt whose initiate answer was lost. The attempt id is both."""
    return attempt_id


class PaynowConnector(Connector):
    id = "paynow"
    display_name = "Paynow (Zimbabwe)"
    methods = frozenset({"mobile_money", "card"})
    currencies = frozenset({"USD", "ZWG"})
    countries = frozenset({"ZW"})
    # InnBucks is a wallet rather than a telco, chosen explicitly; Telecel has no express method at Paynow.
    networks = frozenset({"econet", "netone", "innbucks"})
    routing_priority = 20  # an aggregator: the networks' own gateways go first
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "paynow"
    default_expires_in_seconds = 15 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return {"base_url": simulator_base_url, "integration_id": "sim_key", "integration_key": "sim_secret",
                "merchant_email": SIMULATOR_MERCHANT_EMAIL, "currency": "USD"}

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        currency = str(self.account.credentials.get("currency") or "USD").strip().upper()
        validation.validate_amount(request.amount, currency)
        if validation.charge_flow(request) == validation.WEB:
            validation.validate_return_url(request.return_url)
        else:
            validation.express_method(request.phone, request.network)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Start a web or express checkout; the reference is ours, so it is known whatever happens next."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        reference = paynow_reference_for(request.attempt_id)
        try:
            credentials = PaynowCredentials.from_mapping(self.account.credentials)
        except ConnectorConfigError as exc:
            return _result(_NOT_CONFIGURED, message=str(exc))
        flow = validation.charge_flow(request)
        email = validation.auth_email(request, mode=self.account.mode, merchant_email=credentials.merchant_email)
        if flow == validation.EXPRESS and not email:
            return _result(_NOT_CONFIGURED, message="Paynow express checkout needs an authemail: set the merchant "
                           "login email on the account (required in test mode) or send the customer's email")
        initiation = Initiation(
            reference=reference, amount=request.amount.major_string(2),
            additional_info=(request.description or request.merchant_reference).strip(),
            # Express checkout never sends the customer anywhere, but Paynow requires a return URL (7.2).
            return_url=request.return_url or self.account.callback_url, result_url=self.account.callback_url,
            auth_email=email)
        method = validation.express_method(request.phone, request.network) if flow == validation.EXPRESS else ""
        try:
            with PaynowClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                if method:
                    reply = client.initiate_express(initiation, method=method,
                                                    phone=validation.local_phone(request.phone))
                else:
                    reply = client.initiate_web(initiation)
        except OutcomeUnknown as exc:
            log.warning("Paynow initiate for attempt %s sent but not answered (%s); outcome unknown",
                        request.attempt_id, exc)
            return _result(UNKNOWN, reference=reference, state=_flow_state(flow, method),
                           message="Paynow did not answer; the outcome is unknown until a status update arrives")
        except GatewayUnreachable as exc:
            return _result(_UNREACHABLE, message=f"Paynow could not be reached, so nothing was sent: {exc}")
        except UnexpectedResponse as exc:
            log.warning("Paynow initiate for attempt %s: %s", request.attempt_id, exc)
            outcome = http_status_outcome(exc.http_status) if exc.http_status != 200 else UNKNOWN
            # Only an answer that may hang over a created transaction keeps the reference to be resolved by.
            maybe_created = outcome.status is ResultStatus.UNKNOWN
            return _result(outcome, reference=reference if maybe_created else None, status=f"HTTP {exc.http_status}",
                           message=str(exc), state=_flow_state(flow, method) if maybe_created else None)
        payer = mask_phone(request.phone.msisdn) if request.phone is not None else "-"
        log.info("Paynow %s checkout for attempt %s (%s, payer %s): %s", flow, request.attempt_id, method or "web",
                 payer, reply.response.status)
        return _initiate_result(reply, reference, flow, method)

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Poll the transaction's poll URL (7.6); the answer counts only when its hash and reference are right."""
        reference = request.gateway_reference or paynow_reference_for(request.attempt_id)
        state = dict(request.connector_state)
        poll_url = state.get("pollurl", "")
        if not poll_url:
            # The initiate answer was lost, and Paynow cannot be asked by our reference (7.6 polls by URL only);
            # the status update, which carries the poll URL, resolves it.
            return _result(UNKNOWN, reference=reference, message="no poll URL yet (the initiate answer was lost); "
                                                                 "waiting for Paynow's status update")
        try:
            credentials = PaynowCredentials.from_mapping(self.account.credentials)
            with PaynowClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                reply = client.poll(poll_url)
        except UnsafePollUrl as exc:
            log.error("refusing to poll for %s: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=str(exc))
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, UnexpectedResponse) as exc:
            # A poll that fails says nothing about the payment; the core polls again later.
            log.warning("Paynow poll for %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=f"poll failed: {exc}")
        return _poll_result(reply, reference, state, credentials.currency)

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        key = str(self.account.credentials.get("integration_key") or "").strip()
        if not key:
            log.error("account %s has no integration key, so no status update can be verified",
                      self.account.account_id)
            return WebhookVerification.REJECTED
        return webhooks.webhook_verify(inbound, key)

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        currency = str(self.account.credentials.get("currency") or "USD").strip().upper()
        parsed = webhooks.webhook_parse(inbound, currency)
        _log_for_operations(parsed.result.gateway_status, parsed.gateway_reference)
        return parsed

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)


# -- results ----------------------------------------------------------------------------------------------


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None, next_action: dict[str, object] | None = None,
            **details: object) -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message, connector_state=state or {},
                        next_action=next_action, **details)


def _flow_state(flow: str, method: str) -> dict[str, str]:
    return {"flow": flow, "method": method} if method else {"flow": flow}


def _initiate_result(reply: InitiateReply, reference: str, flow: str, method: str) -> ChargeResult:
    answer = reply.response
    state = _flow_state(flow, method)
    if answer.is_error:
        # Paynow refused the request and created nothing (7.3); Error answers carry no hash by design.
        return _result(initiate_error_outcome(answer.error), status="Error", message=answer.error)
    if not answer.ok:
        log.warning("Paynow answered initiate for %s with status %r; the outcome is unknown", reference, answer.status)
        return _result(UNKNOWN, reference=reference, status=answer.status, state=state)
    if answer.poll_url:
        state["pollurl"] = answer.poll_url
    if not reply.hash_verified:
        # Possibly forged or corrupted: nothing in it is used except the poll URL, and a poll counts only when
        # its own hash is right and it names our reference (charge_sync).
        log.warning("Paynow's answer for %s has a wrong or missing hash; it is not trusted and will be polled",
                    reference)
        return _result(UNKNOWN, reference=reference, status=answer.status, state=state,
                       message="the answer's hash did not verify; polling for the real status")
    if answer.paynow_reference:
        state["paynow_reference"] = answer.paynow_reference
    return _accepted_result(answer, reference, flow, method, state)


def _accepted_result(answer, reference: str, flow: str, method: str, state: dict[str, str]) -> ChargeResult:
    if flow == validation.WEB and answer.browser_url:
        state["browserurl"] = answer.browser_url
    if method == "innbucks" and answer.authorization_code:
        state["authorization_code"] = answer.authorization_code
        expires_at = authorization_expires_at(answer.authorization_expires)
        if answer.authorization_expires and expires_at is None:
            log.warning("unreadable InnBucks authorizationexpires %r for %s", answer.authorization_expires, reference)
        state["authorization_expires_at"] = expires_at.isoformat() if expires_at else ""
    next_action = _next_action(state)
    if next_action is not None:
        return _result(_REQUIRES_ACTION, reference=reference, status=answer.status, state=state,
                       next_action=next_action, message=answer.instructions)
    if flow == validation.WEB:
        log.warning("Paynow accepted web checkout %s without a browserurl; polling", reference)
        return _result(UNKNOWN, reference=reference, status=answer.status, state=state)
    # EcoCash / OneMoney: the USSD prompt is on the customer's phone (7.3 `instructions` say so).
    return _result(_PROCESSING, reference=reference, status=answer.status, state=state, message=answer.instructions)


def _next_action(state: dict[str, str]) -> dict[str, object] | None:
    """What the customer must still do: go to Paynow (web), or enter the InnBucks code; None otherwise."""
    if state.get("browserurl"):
        return {"type": "redirect", "url": state["browserurl"]}
    if state.get("authorization_code"):
        return {"type": "display_code", "code": state["authorization_code"],
                "expires_at": state.get("authorization_expires_at") or None}
    return None


def _poll_result(reply: PollReply, reference: str, state: dict[str, str], currency: str) -> ChargeResult:
    if reply.status is None:
        return _result(UNKNOWN, reference=reference, status="Error", message=f"poll refused: {reply.error}")
    answer = reply.status
    if not reply.hash_verified:
        log.warning("Paynow poll answer for %s has a wrong or missing hash; not trusted, polled again", reference)
        return _result(UNKNOWN, reference=reference, status=answer.status, message="poll answer hash did not verify")
    if answer.reference != reference:
        log.error("Paynow poll for %s answered about %s", reference, answer.reference)
        return _result(UNKNOWN, reference=reference, message="the poll answered about another transaction")
    try:
        amount = answer.money(currency)
    except WireFormatError as exc:
        return _result(UNKNOWN, reference=reference, status=answer.status, message=f"poll answer {exc}")
    outcome = status_outcome(answer.status)
    _log_for_operations(answer.status, reference)
    fresh = {key: value for key, value in (("paynow_reference", answer.paynow_reference),) if value}
    next_action = _next_action(state) if not outcome.status.is_final else None
    if next_action is not None and outcome.status in (ResultStatus.PENDING, ResultStatus.PROCESSING):
        # The customer has not finished at Paynow yet: the redirect or the code is still what they need.
        outcome = _REQUIRES_ACTION
    return _result(outcome, reference=reference, status=answer.status, state=fresh, next_action=next_action,
                   receipt_number=answer.paynow_reference or None, amount=amount)


def _log_for_operations(status: str, reference: str) -> None:
    if normalize_status(status) in STATUSES_FOR_OPERATIONS:
        log.warning("Paynow reports %s for %s: the charge stands, but operations should look (PROVIDERS.md 7.7)",
                    status, reference)
