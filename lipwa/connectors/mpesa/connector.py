"""M-Pesa (Safaricom Daraja): the reference connector. Every other gateway folder copies its shape.

Flows only: what to send, and what each kind of answer means for the charge. HTTP lives in `client.py`,
wire shapes and status tables in `mapping.py`, the callback in `webhooks.py`, configuration in
`credentials.py`. The rules the flows follow (DESIGN.md §3):

- nothing invalid is ever sent: `validate_charge` refuses what Daraja would refuse or truncate;
- a request that was never sent (connection refused, token refused) is FAILED, safe to try again;
- a request whose answer was lost is UNKNOWN, never FAILED: the STK query or the callback resolves it;
- a code we do not know is UNKNOWN too, and is queried again.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.money import Money
from lipwa.common.phones import Phone, mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    ProbeResult,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import webhooks
from .client import DarajaClient, TokenRefused, UnexpectedResponse
from .credentials import CREDENTIAL_FIELDS, PAYBILL, SANDBOX_PASSKEY, SANDBOX_SHORTCODE, MpesaCredentials
from .mapping import (
    ACCOUNT_REFERENCE_MAX_CHARS,
    AMOUNT_MAX_SHILLINGS,
    AMOUNT_MIN_SHILLINGS,
    CURRENCY,
    MSISDN_PATTERN,
    TRANSACTION_DESC_MAX_CHARS,
    UNKNOWN,
    ErrorEnvelope,
    Outcome,
    StkPushResponse,
    StkQueryResponse,
    callback_url_blocked_words,
    http_status_outcome,
    push_error_outcome,
    query_error_outcome,
    result_code_outcome,
)

log = logging.getLogger("lipwa.connectors.mpesa")

# Outcomes of requests that never reached Daraja: both are safe to try again once fixed.
_NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
_UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)


class MpesaConnector(Connector):
    id = "mpesa"
    display_name = "M-Pesa (Safaricom Daraja)"
    methods = frozenset({"mobile_money"})
    currencies = frozenset({CURRENCY})
    countries = frozenset({"KE"})
    networks = frozenset({"safaricom"})
    routing_priority = 10  # Safaricom's own gateway
    credential_fields = CREDENTIAL_FIELDS
    # Daraja drops callbacks whose URL contains "mpesa" (PROVIDERS.md 1.5), so the hooks path says "daraja".
    callback_slug = "daraja"
    default_expires_in_seconds = 15 * 60

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        return {"base_url": simulator_base_url, "consumer_key": "sim_key", "consumer_secret": "sim_secret",
                "shortcode": SANDBOX_SHORTCODE, "passkey": SANDBOX_PASSKEY, "transaction_type": PAYBILL}

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        _validate_amount(request.amount)
        _validate_phone(request.phone)

    def credentials_probe(self) -> ProbeResult:
        """An OAuth token (1.2): issued only for a valid consumer key and secret, and it moves no money."""
        credentials = MpesaCredentials.from_mapping(self.account.credentials)
        try:
            with DarajaClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                client.access_token_renew()
        except TokenRefused as exc:
            detail = f" {exc.error_code}" if exc.error_code else ""
            return ProbeResult(False, f"M-Pesa refused the consumer key/secret (HTTP {exc.http_status}{detail}) "
                                      f"at {credentials.base_url}")
        return ProbeResult(True, f"{credentials.base_url} answered the OAuth token request: M-Pesa accepted the "
                                 "consumer key/secret")

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Send an STK push. Accepted means only that the prompt was queued: the result is PROCESSING."""
        self.validate_charge(request)  # the core has validated already; this guards the wire against bugs
        try:
            credentials = MpesaCredentials.from_mapping(self.account.credentials)
        except ConnectorConfigError as exc:
            return _result(_NOT_CONFIGURED, message=str(exc))
        self._warn_about_callback_url()
        msisdn = request.phone.msisdn  # validate_charge guarantees a phone
        try:
            with DarajaClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                reply = client.stk_push(amount=request.amount.whole_major(), phone_number=msisdn,
                                        callback_url=self.account.callback_url,
                                        account_reference=account_reference(request),
                                        transaction_desc=transaction_desc(request))
        except OutcomeUnknown as exc:
            log.warning("STK push for attempt %s sent but not answered (%s); outcome unknown",
                        request.attempt_id, exc)
            return _result(UNKNOWN, message="Daraja did not answer the STK push; the outcome is unknown")
        except GatewayUnreachable as exc:
            return _result(_UNREACHABLE, message=f"Daraja could not be reached, so nothing was sent: {exc}")
        except TokenRefused as exc:
            return _result(_NOT_CONFIGURED, message=str(exc), status=exc.error_code)
        except UnexpectedResponse as exc:
            log.warning("STK push for attempt %s: %s", request.attempt_id, exc)
            return _result(http_status_outcome(exc.http_status), message=str(exc), status=f"HTTP {exc.http_status}")
        if isinstance(reply, ErrorEnvelope):
            log.warning("STK push for attempt %s refused: %s %s", request.attempt_id, reply.error_code,
                        reply.error_message)
            return _envelope_result(push_error_outcome(reply), reply)
        log.info("STK push for attempt %s to %s: %s (ResponseCode %s)", request.attempt_id, mask_phone(msisdn),
                 reply.checkout_request_id, reply.response_code)
        return _push_result(reply)

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Ask Daraja with an STK query. It never returns the receipt or the amount; the callback has them."""
        reference = request.gateway_reference
        if not reference:
            # The push's answer was lost, and Daraja cannot be asked by any reference of ours; only the callback
            # (which the core adopts by amount and payer) can tell what happened.
            return _result(UNKNOWN, message="the STK push was never answered, so there is no CheckoutRequestID "
                                             "to query; waiting for Daraja's callback")
        try:
            credentials = MpesaCredentials.from_mapping(self.account.credentials)
            with DarajaClient(credentials, timeout_seconds=self.account.timeout_seconds) as client:
                reply = client.stk_query(checkout_request_id=reference)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, TokenRefused, UnexpectedResponse) as exc:
            # A query that fails says nothing about the payment; the core asks again later.
            log.warning("STK query for %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=reference, message=f"status query failed: {exc}")
        if isinstance(reply, ErrorEnvelope):
            return _envelope_result(query_error_outcome(reply), reply, reference=reference)
        return _query_result(reply, reference)

    def _warn_about_callback_url(self) -> None:
        blocked = callback_url_blocked_words(self.account.callback_url)
        if blocked:
            log.warning("the callback URL of account %s contains %s, which Daraja blocks; its callbacks will "
                        "not arrive and payments will be settled by status queries only", self.account.account_id,
                        ", ".join(repr(word) for word in blocked))

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return webhooks.webhook_verify(inbound)

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)


# -- validation -------------------------------------------------------------------------------------------


def _validate_amount(amount: Money) -> None:
    if amount.currency != CURRENCY:
        raise ConnectorInputError(f"M-Pesa charges in KES only, not {amount.currency}", param="currency",
                                  code="currency_not_supported")
    if not amount.is_whole_major():
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is KES {amount.major_string()}, but M-Pesa takes whole shillings only; "
            "send a multiple of 100 (KES amounts are in cents)", param="amount", code="amount_precision")
    shillings = amount.whole_major()
    if shillings < AMOUNT_MIN_SHILLINGS:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is below M-Pesa's minimum of KES {AMOUNT_MIN_SHILLINGS:,} "
            f"(amount {AMOUNT_MIN_SHILLINGS * 100})", param="amount", code="amount_too_small")
    if shillings > AMOUNT_MAX_SHILLINGS:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is above M-Pesa's maximum of KES {AMOUNT_MAX_SHILLINGS:,} per payment "
            f"(amount {AMOUNT_MAX_SHILLINGS * 100})", param="amount", code="amount_too_large")


def _validate_phone(phone: Phone | None) -> None:
    if phone is None:
        raise ConnectorInputError("phone is required for M-Pesa: the payer's Safaricom number, e.g. +254712345678",
                                  param="phone", code="phone_required")
    if not MSISDN_PATTERN.fullmatch(phone.msisdn):
        raise ConnectorInputError(
            f"M-Pesa needs a Kenyan mobile number (+2547… or +2541…); {mask_phone(phone.msisdn)} is not one",
            param="phone", code="invalid_phone")


# -- what the customer sees on the prompt -----------------------------------------------------------------

# The prompt is rendered by the SIM toolkit, so only plain ASCII letters, digits and simple punctuation are
# kept (A: other characters risk a garbled prompt or a 1025 failure, PROVIDERS.md 1.6).
_PROMPT_UNSAFE = re.compile(r"[^A-Za-z0-9 .,_#/-]")


def prompt_text(value: str, max_chars: int) -> str:
    """`value` made safe for the prompt: accents dropped ("Café" → "Cafe"), unsafe characters removed,
    spaces collapsed, then cut to `max_chars`. Cutting keeps the start, which is what people read first."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    cleaned = " ".join(_PROMPT_UNSAFE.sub("", ascii_only).split())
    return cleaned[:max_chars].strip()


def account_reference(request: ChargeRequest) -> str:
    """AccountReference (≤ 12 chars, shown on the prompt): the merchant's reference, else the payment id's
    tail, which is its random part and so tells payments apart."""
    return (prompt_text(request.merchant_reference, ACCOUNT_REFERENCE_MAX_CHARS)
            or request.payment_id[-ACCOUNT_REFERENCE_MAX_CHARS:])


def transaction_desc(request: ChargeRequest) -> str:
    """TransactionDesc (≤ 13 chars): the description, else the account reference."""
    return prompt_text(request.description, TRANSACTION_DESC_MAX_CHARS) or account_reference(request)


# -- results ----------------------------------------------------------------------------------------------


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None) -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message, connector_state=state or {})


def _envelope_result(outcome: Outcome, error: ErrorEnvelope, *, reference: str | None = None) -> ChargeResult:
    return _result(outcome, reference=reference, status=error.error_code, message=error.error_message)


def _push_result(reply: StkPushResponse) -> ChargeResult:
    state = {"merchant_request_id": reply.merchant_request_id} if reply.merchant_request_id else {}
    if reply.accepted:
        return _result(Outcome(ResultStatus.PROCESSING), reference=reply.checkout_request_id, state=state,
                       status=str(reply.response_code), message=reply.customer_message or reply.response_description)
    # A CheckoutRequestID with a non-zero ResponseCode is undocumented; keep the id so that a query settles it.
    log.warning("STK push answered ResponseCode %s with CheckoutRequestID %s; the outcome is unknown",
                reply.response_code, reply.checkout_request_id)
    return _result(UNKNOWN, reference=reply.checkout_request_id, state=state, status=str(reply.response_code),
                   message=reply.response_description)


def _query_result(reply: StkQueryResponse, reference: str) -> ChargeResult:
    if reply.checkout_request_id and reply.checkout_request_id != reference:
        # An answer about another prompt must never settle this one.
        log.error("STK query for %s answered about %s", reference, reply.checkout_request_id)
        return _result(UNKNOWN, reference=reference, message="the status query answered about another request")
    if reply.result_code is None:
        return _result(UNKNOWN, reference=reference, message=reply.result_desc or "no ResultCode in the query")
    state = {"merchant_request_id": reply.merchant_request_id} if reply.merchant_request_id else {}
    return _result(result_code_outcome(reply.result_code), reference=reference, status=str(reply.result_code),
                   message=reply.result_desc, state=state)
