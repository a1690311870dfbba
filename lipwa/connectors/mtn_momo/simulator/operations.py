"""Request to pay (collection), transfer and refund (disbursement): create with 202, read the status
(PROVIDERS.md 2.4, 2.5, 2.10).

The checks run in the order a client meets them at MTN: method and path, subscription key, bearer token, target
environment, X-Reference-Id, body, duplicate reference, currency, callback host, then the scenario.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import timedelta
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, scenarios, state, wire
from .views import mtn_view

log = logging.getLogger("lipwa.simulators.mtn_momo")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
REQUEST_TO_PAY, TRANSFER, REFUND = "requesttopay", "transfer", "refund"


@mtn_view("POST")
def request_to_pay(request: HttpRequest) -> HttpResponse:
    """`POST /collection/v1_0/requesttopay` → 202, empty body (2.4)."""
    user, environment = wire.authorised(request, "collection")
    reference = wire.reference_id(request)
    body = wire.json_object(request)
    fields = _common_fields(body, environment)
    payer = wire.party(body, "payer")
    _refuse_duplicate(REQUEST_TO_PAY, reference)
    callback_url = wire.callback_url(request, user)
    outcome = scenarios.outcome_for_request_to_pay(payer["partyId"])
    return _accept(REQUEST_TO_PAY, reference, environment, fields, payer, callback_url, outcome)


@mtn_view("POST")
def transfer(request: HttpRequest) -> HttpResponse:
    """`POST /disbursement/v1_0/transfer` → 202 (2.10)."""
    user, environment = wire.authorised(request, "disbursement")
    reference = wire.reference_id(request)
    body = wire.json_object(request)
    fields = _common_fields(body, environment)
    payee = wire.party(body, "payee")
    _refuse_duplicate(TRANSFER, reference)
    callback_url = wire.callback_url(request, user)
    outcome = scenarios.outcome_for_transfer(payee["partyId"])
    return _accept(TRANSFER, reference, environment, fields, payee, callback_url, outcome)


@mtn_view("POST")
def refund(request: HttpRequest) -> HttpResponse:
    """`POST /disbursement/v1_0/refund` (and v2_0) → 202 (2.10). The money goes back to the original payer."""
    user, environment = wire.authorised(request, "disbursement")
    reference = wire.reference_id(request)
    body = wire.json_object(request)
    fields = _common_fields(body, environment)
    original_reference = wire.uuid4_text(body.get("referenceIdToRefund"), "referenceIdToRefund")
    _refuse_duplicate(REFUND, reference)
    original = state.operation_get(REQUEST_TO_PAY, original_reference)
    if original is None:
        # (P) The refund use case "TransactionNotFound" (2.8) is answered at once: nothing is created.
        return wire.not_found_resource()
    if fields["currency"] != original.currency:
        return wire.platform_error(500, "INVALID_CURRENCY", "Currency not supported.")
    callback_url = wire.callback_url(request, user)
    outcome = _refund_outcome(original, fields["amount"])
    return _accept(REFUND, reference, environment, fields, dict(original.party), callback_url, outcome,
                   refund_of=original.reference)


def _refund_outcome(original: state.Operation, amount: Decimal) -> scenarios.Outcome:
    """(P) A refund succeeds if the original request to pay succeeded and still has `amount` left to refund;
    otherwise it fails with NOT_ALLOWED. Earlier refunds count unless they failed."""
    status, _ = original.status_at(clock.now())
    refunded = sum((op.amount for op in state.refunds_of(original.reference) if op.final_status != "FAILED"),
                   Decimal(0))
    if status != "SUCCESSFUL" or refunded + amount > original.amount:
        return scenarios.Outcome("refund", "FAILED", "NOT_ALLOWED")
    return scenarios.Outcome("refund")


@mtn_view("GET")
def request_to_pay_status(request: HttpRequest, reference: str) -> HttpResponse:
    wire.authorised(request, "collection")
    return _status(REQUEST_TO_PAY, reference)


@mtn_view("GET")
def transfer_status(request: HttpRequest, reference: str) -> HttpResponse:
    wire.authorised(request, "disbursement")
    return _status(TRANSFER, reference)


@mtn_view("GET")
def refund_status(request: HttpRequest, reference: str) -> HttpResponse:
    wire.authorised(request, "disbursement")
    return _status(REFUND, reference)


def _status(kind: str, reference: str) -> HttpResponse:
    operation = state.operation_get(kind, reference.lower())
    if operation is None:
        return wire.not_found_resource()
    return JsonResponse(operation.body_at(clock.now()))


# -- shared ------------------------------------------------------------------------------------------------


def _common_fields(body: dict, environment: str) -> dict:
    amount = wire.amount(body)
    return {"amount": amount, "currency": wire.currency(body, environment, amount),
            "external_id": wire.external_id(body), "payer_message": wire.note(body, "payerMessage"),
            "payee_note": wire.note(body, "payeeNote")}


def _refuse_duplicate(kind: str, reference: str) -> None:
    if state.operation_exists(kind, reference):
        raise wire.Refused(wire.duplicate_reference())


def _accept(kind: str, reference: str, environment: str, fields: dict, party: dict[str, str], callback_url: str,
            outcome: scenarios.Outcome, *, refund_of: str = "") -> HttpResponse:
    if outcome.initiate_fails:
        # Scenario 006: the platform is unavailable and stores nothing. A status query for the reference then
        # answers 404, which is how a client can know that nothing was created (PROVIDERS.md 2.4).
        log.info("mtn_momo simulator: scenario 006 for %s, answering 503", mask_phone(party["partyId"]))
        return wire.platform_error(503, "SERVICE_UNAVAILABLE", "Service unavailable, try again later.")
    # A callback sent before the response (008) means the request was final by then, so the query agrees.
    early = outcome.callback_before_response
    delay = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    delay += outcome.extra_delay_seconds
    created_at = clock.now()
    operation = state.Operation(
        kind=kind, reference=reference, target_environment=environment, amount=fields["amount"],
        currency=fields["currency"], external_id=fields["external_id"], party=party,
        payer_message=fields["payer_message"], payee_note=fields["payee_note"], callback_url=callback_url,
        scenario=outcome.scenario, final_status=outcome.status, final_reason=outcome.reason, created_at=created_at,
        final_at=None if outcome.never_final else created_at + timedelta(seconds=delay),
        pending_reason=outcome.pending_reason, refund_of=refund_of)
    if not state.operation_add(operation):  # another thread took the reference since the check
        return wire.duplicate_reference()
    log.info("mtn_momo simulator: %s %s for %s, scenario %s", kind, reference, mask_phone(party["partyId"]),
             outcome.scenario)
    sends = bool(callback_url) and outcome.callbacks > 0 and not outcome.never_final
    if early and sends:
        callbacks.deliver(operation, outcome.callbacks)
    if outcome.initiate_hangs:
        # Scenario 007: the request exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = functools.partial(callbacks.schedule, operation, outcome.callbacks, delay) if sends and not early else None
    return wire.AfterSendResponse(status=202, after=after)
