"""Disbursements to a Tanzanian wallet, their status, and name lookup (PROVIDERS.md 4.7).

Called by `AzamPayConnector.payout`, `payout_sync` and `account_holder_lookup` with a factory for the
account's client. The same rules as for checkouts apply: our `externalReferenceId` is derived from the payout
id, a lost answer is UNKNOWN, and only an explicit refusal is FAILED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.phones import InvalidPhone, mask_phone, parse_phone
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    AccountHolder,
    FailureCode,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    ResultStatus,
)

from .client import AzamPayClient, TokenRefused, UnexpectedResponse
from .mapping import (
    BANK_PROVIDERS,
    CURRENCY,
    UNKNOWN,
    Envelope,
    NameLookupResponse,
    Outcome,
    ProblemDetails,
    external_id,
    http_status_outcome,
    refusal_outcome,
    status_outcome,
)
from .validation import provider_for, validate_amount, validate_phone

log = logging.getLogger("lipwa.connectors.azampay")

ClientFactory = Callable[[], AzamPayClient]
NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
# `transferDetails.type` is not documented (4.7 shows "…"); one SDK sends INTERNAL by default for wallet
# payouts (A).
TRANSFER_TYPE = "INTERNAL"


def payout(client_factory: ClientFactory, request: PayoutRequest) -> OperationResult:
    """`POST disburse` to the recipient's wallet. Accepted means queued: the status query settles it."""
    validate_amount(request.amount)
    phone = validate_phone(request.phone)
    provider = provider_for(phone, request.network)
    reference = external_id("payout", request.payout_id)
    state = {"provider": provider}

    def result(outcome: Outcome, message: str = "", status: str = "") -> OperationResult:
        return _result(outcome, reference=reference, state=state, status=status, message=message)

    try:
        with client_factory() as client:
            source = client.credentials.payout_source
            if source is None:
                return result(NOT_CONFIGURED, "the account has no payout source; fill in the payout source fields")
            reply = client.disburse(
                source={"countryCode": "TZ", "fullName": source.full_name, "bankName": source.bank_name,
                        "accountNumber": source.account_number, "currency": CURRENCY},
                # A name is part of the documented shape; the number identifies the wallet when none is given.
                destination={"countryCode": "TZ", "fullName": request.recipient_name or phone.msisdn,
                             "bankName": provider, "accountNumber": phone.msisdn, "currency": CURRENCY},
                amount=str(request.amount.whole_major()), transfer_type=TRANSFER_TYPE,
                date=clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), external_reference_id=reference,
                remarks=(request.description or f"Payout {request.payout_id}")[:100])
    except ConnectorConfigError as exc:
        return result(NOT_CONFIGURED, str(exc))
    except GatewayUnreachable as exc:
        return result(UNREACHABLE, f"AzamPay could not be reached: {exc}")
    except OutcomeUnknown as exc:
        return result(UNKNOWN, f"no answer from AzamPay ({exc}); the status query will tell")
    except TokenRefused as exc:
        return result(NOT_CONFIGURED, str(exc), f"HTTP {exc.http_status}")
    except UnexpectedResponse as exc:
        return result(http_status_outcome(exc.http_status), str(exc), f"HTTP {exc.http_status}")
    log.info("AzamPay payout %s to %s via %s: HTTP %s %s", reference, mask_phone(phone.msisdn), provider,
             reply.http_status, reply.message)
    if isinstance(reply, Envelope) and reply.success and 200 <= reply.http_status < 300:
        return result(status_outcome(reply.data, reply.message), reply.message, reply.data_text)
    phone_refused = isinstance(reply, ProblemDetails) and reply.mentions("destination")
    return result(refusal_outcome(reply.http_status, reply.message, phone_refused=phone_refused), reply.message,
                  f"HTTP {reply.http_status}")


def payout_sync(client_factory: ClientFactory, request: OperationSyncRequest) -> OperationResult:
    reference = request.gateway_reference or external_id("payout", request.operation_id)
    provider = request.connector_state.get("provider")
    if not provider:
        return _result(UNKNOWN, reference=reference, message="the payout's provider is not known")
    try:
        with client_factory() as client:
            reply = client.transaction_status(reference=reference, bank_name=provider, external_id=reference)
    except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, TokenRefused, UnexpectedResponse) as exc:
        log.warning("AzamPay payout status query for %s failed: %s", reference, exc)
        return _result(UNKNOWN, reference=reference, message=f"status query failed: {exc}")
    if not isinstance(reply, Envelope) or not reply.success or not 200 <= reply.http_status < 300:
        return _result(UNKNOWN, reference=reference, status=f"HTTP {reply.http_status}", message=reply.message)
    return _result(status_outcome(reply.data, reply.message), reference=reference, status=reply.data_text,
                   message=reply.message)


def account_holder_lookup(client_factory: ClientFactory, phone_or_account: str,
                          network: str | None) -> AccountHolder:
    """The registered name of a wallet (a phone number) or of a CRDB/NMB account (network = the bank).

    A refused lookup is "not found"; a lookup AzamPay could not be asked raises (GatewayUnreachable,
    OutcomeUnknown, or ConnectorConfigError for refused credentials), since there is no result to give.
    """
    bank_name, account_number = _lookup_target(phone_or_account, network)
    try:
        with client_factory() as client:
            reply = client.name_lookup(bank_name=bank_name, account_number=account_number)
    except TokenRefused as exc:
        raise ConnectorConfigError(str(exc)) from None
    except UnexpectedResponse as exc:
        raise GatewayUnreachable(str(exc)) from None
    if isinstance(reply, NameLookupResponse):
        found = reply.success and bool(reply.name)
        raw = {"success": reply.success, "name": reply.name, "message": reply.message,
               "accountNumber": reply.account_number, "bankName": reply.bank_name}
        return AccountHolder(found=found, name=reply.name if found else "", raw=raw)
    if http_status_outcome(reply.http_status) == NOT_CONFIGURED:
        raise ConnectorConfigError(f"AzamPay refused the name lookup: HTTP {reply.http_status} {reply.message}")
    return AccountHolder(found=False, raw={"http_status": reply.http_status, "message": reply.message})


def _lookup_target(phone_or_account: str, network: str | None) -> tuple[str, str]:
    if network and network.strip().upper() in BANK_PROVIDERS:
        account = (phone_or_account or "").strip()
        if not account.isdigit():
            raise ConnectorInputError("a bank account number is digits only", param="account_number",
                                      code="invalid_account_number")
        return network.strip().upper(), account
    try:
        phone = validate_phone(parse_phone(phone_or_account, "TZ"))
    except InvalidPhone as exc:
        raise ConnectorInputError(str(exc), param="phone", code="invalid_phone") from None
    return provider_for(phone, network), phone.msisdn


def _result(outcome: Outcome, *, reference: str, state: dict[str, str] | None = None, status: str = "",
            message: str = "") -> OperationResult:
    return OperationResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                           gateway_status=status, gateway_message=message, connector_state=state or {})
