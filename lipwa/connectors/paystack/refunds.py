"""Paystack refunds (PROVIDERS.md 6.6): full or partial, asynchronous, settled by `refund_sync`.

`POST /refund` takes no idempotency key of ours, so a refund whose answer was lost is never sent again: it is
UNKNOWN, and `refund_query` finds it among the transaction's refunds by the lipwa refund id written in its
`merchant_note`. If it is not there, it stays unknown for a person to look at; sending it again could refund
twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.types import (
    FailureCode,
    OperationResult,
    OperationSyncRequest,
    RefundRequest,
    ResultStatus,
)

from .client import PaystackClient, UnexpectedResponse
from .credentials import PaystackCredentials
from .mapping import (
    UNKNOWN,
    ApiError,
    Outcome,
    Refund,
    http_status_outcome,
    refund_error_outcome,
    refund_outcome,
    wire_amount,
)

log = logging.getLogger("lipwa.connectors.paystack")

CredentialsFactory = Callable[[], PaystackCredentials]
ClientFactory = Callable[[PaystackCredentials], PaystackClient]
# Paystack's notes are free text (A); short enough for any dashboard column.
CUSTOMER_NOTE_MAX_CHARS = 200


def merchant_note(refund_id: str) -> str:
    """The note that lets `refund_query` recognise this refund among the transaction's refunds."""
    return f"lipwa refund {refund_id}"


def refund_send(credentials: CredentialsFactory, client_for: ClientFactory, request: RefundRequest) -> OperationResult:
    """Ask Paystack to refund `request.amount` of the charge `request.charge_reference`."""
    state = {"transaction_reference": request.charge_reference}
    try:
        settings = credentials()
        amount = wire_amount(request.amount)
    except (ConnectorConfigError, ValueError) as exc:
        return _result(Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR), message=str(exc), state=state)
    try:
        with client_for(settings) as client:
            reply = client.refund_create(
                transaction=request.charge_reference, amount=amount, currency=request.amount.currency,
                merchant_note=merchant_note(request.refund_id), customer_note=request.reason[:CUSTOMER_NOTE_MAX_CHARS])
    except OutcomeUnknown as exc:
        log.warning("refund %s sent to Paystack but not answered (%s); it will be looked up, not resent",
                    request.refund_id, exc)
        return _result(UNKNOWN, message="Paystack did not answer the refund; looking it up later", state=state)
    except GatewayUnreachable as exc:
        return _result(Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE), state=state,
                       message=f"Paystack could not be reached, so no refund was requested: {exc}")
    except UnexpectedResponse as exc:
        return _result(http_status_outcome(exc.http_status), message=str(exc), state=state,
                       status=f"HTTP {exc.http_status}")
    if isinstance(reply, ApiError):
        log.warning("Paystack refused refund %s: HTTP %s %s", request.refund_id, reply.http_status, reply.message)
        return _result(refund_error_outcome(reply), status=f"HTTP {reply.http_status}", message=reply.message,
                       state=state)
    return _refund_result(reply, state)


def refund_query(credentials: CredentialsFactory, client_for: ClientFactory,
                 request: OperationSyncRequest) -> OperationResult:
    """The refund's state: by its Paystack id, or found by its note when the create answer was lost."""
    state = dict(request.connector_state)
    transaction = state.get("transaction_reference", "")
    if not request.gateway_reference and not transaction:
        return _result(UNKNOWN, message="no Paystack refund id and no transaction to look it up by", state=state)
    try:
        with client_for(credentials()) as client:
            if request.gateway_reference:
                reply = client.refund_get(request.gateway_reference)
            else:
                reply = client.refund_list(transaction_reference=transaction)
    except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, UnexpectedResponse) as exc:
        log.warning("Paystack refund query for %s failed: %s", request.operation_id, exc)
        return _result(UNKNOWN, message=f"refund query failed: {exc}", state=state)
    if isinstance(reply, ApiError):
        return _result(UNKNOWN, status=f"HTTP {reply.http_status}", message=reply.message, state=state)
    if isinstance(reply, list):
        note = merchant_note(request.operation_id)
        reply = next((refund for refund in reply if refund.merchant_note == note), None)
        if reply is None:
            log.warning("refund %s is not among the refunds of %s; it stays unknown", request.operation_id,
                        transaction)
            return _result(UNKNOWN, message=f"no refund of {transaction} carries {note!r} yet", state=state)
    return _refund_result(reply, state)


def _refund_result(refund: Refund, state: dict[str, str]) -> OperationResult:
    outcome = refund_outcome(refund.status)
    return _result(outcome, reference=refund.id, status=refund.status, state=state | {"refund_id": refund.id},
                   message="Paystack needs the merchant to act on this refund in its dashboard"
                   if outcome.status is ResultStatus.REQUIRES_ACTION else "")


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None) -> OperationResult:
    return OperationResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                           gateway_status=status, gateway_message=message, connector_state=state or {})
