"""Airtel's refund, disbursement and user enquiry flows (PROVIDERS.md §3.7, §3.8), and the checks shared with
collection. The connector delegates here to keep each module readable; the rules are the connector's.

Refunds: Airtel refunds whole collections only, keyed by Airtel's own id (the charge's receipt number), and
documents no refund status query. Its documented answer to an accepted refund says `"status": "SUCCESS"` next
to `"success": false`, so an accepted refund is UNKNOWN (§3.7) and is settled by reconciliation against the
Airtel statement; only an explicit refusal code is FAILED.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.money import Money
from lipwa.common.phones import InvalidPhone, Phone, mask_phone, parse_phone
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    AccountContext,
    AccountHolder,
    ChargeRequest,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    RefundRequest,
)

from .client import AirtelClient, KeyUnavailable, TokenRefused, UnexpectedResponse
from .credentials import AirtelCredentials
from .mapping import (
    COUNTRY_CURRENCIES,
    CURRENCIES,
    DISBURSEMENT_CODES,
    NOT_SENT_CONFIGURATION,
    NOT_SENT_UNAVAILABLE,
    UNKNOWN,
    USER_FOUND_CODE,
    ApiResponse,
    Outcome,
    http_status_outcome,
    refund_outcome,
    reply_outcome,
)

log = logging.getLogger("lipwa.connectors.airtel")

PAYOUT_NAMESPACE = uuid.UUID("0b8e7f3a-51c2-4d6e-a9f4-7c3d2e1b0a68")
# `reference` is free text recorded with the payment (§3.4); its limit is not documented, so it is kept short
# and plain (A).
REFERENCE_MAX_CHARS = 50
_UNSAFE = re.compile(r"[^A-Za-z0-9 .,_#/-]")


def payout_transaction_id(payout_id: str) -> str:
    """`transaction.id` of a disbursement, the same for every send of one payout."""
    return uuid.uuid5(PAYOUT_NAMESPACE, f"payout:{payout_id}").hex


# -- validation shared by charges and payouts -----------------------------------------------------------


def validate_wallet(phone: Phone | None, amount: Money, network: str | None) -> None:
    """Refuse what Airtel cannot take: a currency it does not use in the wallet's country, a fraction."""
    if amount.currency not in CURRENCIES:
        raise ConnectorInputError(f"Airtel Money takes {', '.join(sorted(CURRENCIES))}, not {amount.currency}",
                                  param="currency", code="currency_not_supported")
    if not amount.is_whole_major():
        # PROVIDERS.md §3.9: amounts are major units and zero-decimal currencies must be integers (A). No
        # Airtel country documents fractions either, so none are sent rather than risk a truncated amount.
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is {amount.currency} {amount.major_string()}, but Airtel Money takes "
            f"whole {amount.currency} only; send a multiple of {10 ** amount.exponent}", param="amount",
            code="amount_precision")
    if amount.whole_major() < 1:
        raise ConnectorInputError(f"amount {amount.amount_minor} is below Airtel Money's minimum of "
                                  f"{amount.currency} 1 (amount {10 ** amount.exponent})", param="amount",
                                  code="amount_too_small")
    if phone is None:
        raise ConnectorInputError("phone is required for Airtel Money: the payer's Airtel number in international "
                                  "form, e.g. +256752604392", param="phone", code="phone_required")
    allowed = COUNTRY_CURRENCIES.get(phone.country)
    if allowed is None:
        raise ConnectorInputError(f"Airtel Money does not serve {phone.country} numbers such as "
                                  f"{mask_phone(phone.msisdn)}", param="phone", code="country_not_supported")
    if amount.currency not in allowed:
        raise ConnectorInputError(f"Airtel Money in {phone.country} takes {' or '.join(sorted(allowed))}, not "
                                  f"{amount.currency}", param="currency", code="currency_not_supported")
    if network is not None and network != "airtel":
        raise ConnectorInputError(f"Airtel Money charges Airtel wallets only, and this payer's network is "
                                  f"{network}", param="network", code="network_not_supported")


def prompt_reference(request: ChargeRequest) -> str:
    """`reference`: the merchant's reference, else the description, else the payment id, made plain."""
    for value in (request.merchant_reference, request.description):
        cleaned = plain_text(value)
        if cleaned:
            return cleaned
    return request.payment_id[-REFERENCE_MAX_CHARS:]


def plain_text(value: str, max_chars: int = REFERENCE_MAX_CHARS) -> str:
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(_UNSAFE.sub("", ascii_only).split())[:max_chars].strip()


# -- refund -----------------------------------------------------------------------------------------------


def refund(account: AccountContext, request: RefundRequest) -> OperationResult:
    state = dict(request.charge_state)
    airtel_money_id = request.receipt_number or state.get("airtel_money_id", "")
    if not airtel_money_id:
        raise ConnectorInputError("Airtel refunds are keyed by Airtel's id of the charge, which this payment does "
                                  "not have (it is learnt when the charge succeeds)", param="payment",
                                  code="receipt_missing")
    charged = state.get("amount_minor")
    if charged and charged != str(request.amount.amount_minor):
        raise ConnectorInputError("Airtel Money refunds whole payments only (PROVIDERS.md §3.7); refund "
                                  f"amount {charged}", param="amount", code="partial_refund_not_supported")
    country = state.get("country") or (request.phone.country if request.phone else "")
    currency = state.get("currency") or request.amount.currency
    if not country:
        raise ConnectorInputError("the payer's country is unknown, so Airtel cannot be asked (X-Country)",
                                  param="payment", code="country_unknown")
    result_state = {"country": country, "currency": currency, "charge_airtel_money_id": airtel_money_id}
    answer = _call(account, country, currency, lambda client: client.refund(airtel_money_id))
    if isinstance(answer, OperationResult):
        return _with_state(answer, result_state)
    outcome = refund_outcome(answer)
    refund_id = answer.transaction.airtel_money_id if answer.transaction else ""
    log.info("refund of %s: %s (%s)", airtel_money_id, outcome.status, answer.response_code or "no code")
    return _operation(outcome, answer, refund_id or airtel_money_id, result_state)


# -- payouts ----------------------------------------------------------------------------------------------


def payout(account: AccountContext, request: PayoutRequest) -> OperationResult:
    validate_wallet(request.phone, request.amount, request.network)
    reference = payout_transaction_id(request.payout_id)
    country, currency = request.phone.country, request.amount.currency
    state = {"country": country, "currency": currency}
    try:
        if not AirtelCredentials.from_mapping(account.credentials).pin:
            return _operation(NOT_SENT_CONFIGURATION, None, None, state,
                              message="payouts need the disbursement wallet's PIN in the account's credentials")
    except ConnectorConfigError as exc:
        return _operation(NOT_SENT_CONFIGURATION, None, None, state, message=str(exc))
    msisdn = request.phone.national_significant
    text = plain_text(request.description) or reference

    def send(client: AirtelClient) -> ApiResponse:
        return client.disburse(transaction_id=reference, msisdn=msisdn, amount=request.amount.whole_major(),
                               reference=text, name=plain_text(request.recipient_name, 100))

    answer = _call(account, country, currency, send, reference=reference)
    if isinstance(answer, OperationResult):
        return _with_state(answer, state)
    outcome = reply_outcome(answer, DISBURSEMENT_CODES, "disbursement")
    log.info("disbursement %s to %s: %s (%s)", reference, mask_phone(msisdn), outcome.status,
             answer.response_code or f"HTTP {answer.http_status}")
    return _operation(outcome, answer, reference, state)


def payout_sync(account: AccountContext, request: OperationSyncRequest) -> OperationResult:
    reference = request.gateway_reference or payout_transaction_id(request.operation_id)
    state = dict(request.connector_state)
    currency = state.get("currency") or request.amount.currency
    country = state.get("country") or _only_country(currency)
    if not country:
        return _operation(UNKNOWN, None, reference, state, message="the payee's country is unknown (X-Country)")
    answer = _call(account, country, currency, lambda client: client.disbursement_enquiry(reference),
                   reference=reference, enquiry=True)
    if isinstance(answer, OperationResult):
        return answer
    echoed = answer.transaction.id if answer.transaction else ""
    if echoed and echoed != reference:
        log.error("disbursement enquiry for %s answered about %s", reference, echoed)
        return _operation(UNKNOWN, None, reference, state, message="the enquiry answered about another transaction")
    return _operation(reply_outcome(answer, DISBURSEMENT_CODES, "disbursement enquiry"), answer, reference,
                      {"country": country, "currency": currency})


def _only_country(currency: str) -> str:
    countries = [country for country, currencies in COUNTRY_CURRENCIES.items() if currency in currencies]
    return countries[0] if len(countries) == 1 else ""


# -- name lookup ------------------------------------------------------------------------------------------


def account_holder_lookup(account: AccountContext, phone_or_account: str, network: str | None) -> AccountHolder:
    """User enquiry (§3.8). A lookup changes nothing, so failures are raised for the caller to retry or report:
    `GatewayUnreachable`/`OutcomeUnknown` for transport trouble and answers that cannot be read,
    `ConnectorConfigError` for credentials Airtel refuses."""
    try:
        phone = parse_phone(phone_or_account)
    except InvalidPhone as exc:
        raise ConnectorInputError(f"{exc}; give the number in international form, e.g. +256752604392",
                                  param="phone", code="invalid_phone") from None
    allowed = COUNTRY_CURRENCIES.get(phone.country)
    if allowed is None:
        raise ConnectorInputError(f"Airtel Money does not serve {phone.country} numbers", param="phone",
                                  code="country_not_supported")
    if network is not None and network != "airtel":
        raise ConnectorInputError(f"Airtel can only look up Airtel wallets, not {network}", param="network",
                                  code="network_not_supported")
    credentials = AirtelCredentials.from_mapping(account.credentials)
    try:
        with AirtelClient(credentials, country=phone.country, currency=sorted(allowed)[0],
                          timeout_seconds=account.timeout_seconds) as client:
            answer = client.user(phone.national_significant)
    except TokenRefused as exc:
        raise ConnectorConfigError(str(exc)) from None
    except UnexpectedResponse as exc:
        raise GatewayUnreachable(f"the user enquiry could not be read: {exc}") from None
    data = dict(answer.data)
    if answer.response_code != USER_FOUND_CODE or (answer.status and answer.status.success is False):
        return AccountHolder(found=False, raw=data)
    names = (data.get("first_name"), data.get("last_name"))
    return AccountHolder(found=True, name=" ".join(str(n).strip() for n in names if n), raw=data)


# -- shared -----------------------------------------------------------------------------------------------


def _call(account: AccountContext, country: str, currency: str, send, *, reference: str | None = None,
          enquiry: bool = False) -> ApiResponse | OperationResult:
    """Run `send(client)`; a transport or configuration failure becomes the OperationResult it means."""
    try:
        credentials = AirtelCredentials.from_mapping(account.credentials)
        with AirtelClient(credentials, country=country, currency=currency,
                          timeout_seconds=account.timeout_seconds) as client:
            return send(client)
    except OutcomeUnknown as exc:
        return _operation(UNKNOWN, None, reference, {}, message=f"Airtel did not answer: {exc}")
    except (GatewayUnreachable, KeyUnavailable, ConnectorConfigError, TokenRefused, UnexpectedResponse) as exc:
        if enquiry:  # a failed enquiry says nothing about the operation
            return _operation(UNKNOWN, None, reference, {}, message=f"enquiry failed: {exc}")
        if isinstance(exc, UnexpectedResponse):
            outcome = http_status_outcome(exc.http_status)
        elif isinstance(exc, GatewayUnreachable | KeyUnavailable):
            outcome = NOT_SENT_UNAVAILABLE
        else:
            outcome = NOT_SENT_CONFIGURATION
        open_reference = None if outcome in (NOT_SENT_UNAVAILABLE, NOT_SENT_CONFIGURATION) else reference
        return _operation(outcome, None, open_reference, {}, message=str(exc))


def _operation(outcome: Outcome, answer: ApiResponse | None, reference: str | None, state: dict[str, str], *,
               message: str = "") -> OperationResult:
    if answer is not None:
        airtel_money_id = answer.transaction.airtel_money_id if answer.transaction else ""
        if airtel_money_id:
            state = {**state, "airtel_money_id": airtel_money_id}
        transaction_status = answer.transaction.status if answer.transaction else ""
        status = "/".join(part for part in (transaction_status, answer.response_code) if part)
        message = message or answer.message
    else:
        status = ""
    return OperationResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                           gateway_status=status or (f"HTTP {answer.http_status}" if answer else ""),
                           gateway_message=message, connector_state=state)


def _with_state(result: OperationResult, state: dict[str, str]) -> OperationResult:
    return OperationResult(status=result.status, failure_code=result.failure_code,
                           gateway_reference=result.gateway_reference, gateway_status=result.gateway_status,
                           gateway_message=result.gateway_message, connector_state={**state,
                                                                                    **result.connector_state})
