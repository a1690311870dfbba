"""Disbursement, disbursement enquiry and user enquiry (KYC) in the Airtel simulator (PROVIDERS.md §3.8).

    POST standard/v2/disbursements/   signed (x-signature/x-key), PIN encrypted with the simulator's key
    POST standard/v1/disbursements/   the same body, unsigned (§3.8 calls the v1 shape A)
    GET  standard/v1/disbursements/{id}
    GET  standard/v1/users/{msisdn}
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import scenarios, state, wire
from .views import DEFAULT_DELAY_SECONDS, DEFAULT_HANG_SECONDS, _gate, transaction_view

log = logging.getLogger("lipwa.simulators.airtel")

# The simulated disbursement wallet's PIN.
WALLET_PIN = "1234"
TRANSACTION_TYPES = {"B2C", "B2B"}


@csrf_exempt
def disburse(request: HttpRequest, version: str) -> JsonResponse:
    refusal, client_id, headers = _gate(request, "POST", signed_code="DP00900001016" if version == "v2" else "")
    if refusal is not None:
        return refusal
    country, currency = headers
    try:
        body = wire.json_object(request)
        payee, transaction = wire.obj(body, "payee"), wire.obj(body, "transaction")
        msisdn = wire.msisdn(payee, "payee")
        if wire.text(payee, "currency", "payee", required=False).upper() not in ("", currency):
            raise wire.Invalid("Invalid payee.currency")
        wire.text(body, "reference", "")
        encrypted_pin = wire.text(body, "pin", "")
        amount = wire.amount(transaction, currency)
        transaction_id = wire.text(transaction, "id", "transaction")
        if wire.text(transaction, "type", "transaction", required=False).upper() not in ("", *TRANSACTION_TYPES):
            raise wire.Invalid("Invalid transaction.type")
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.message)
    if wire.decrypt_pin(encrypted_pin) != WALLET_PIN:
        # (A) PROVIDERS.md records no code for a wrong PIN; "invalid initiatee" names the wallet's owner.
        return wire.refusal("DP00900001009", "Invalid PIN")
    outcome = scenarios.disbursement_outcome(msisdn)
    if outcome.initiate_fails:
        return wire.answer({}, http_status=503, code="503", message="Service Unavailable", success=False,
                           result_code=None)
    now = clock.now()
    delay = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    stored = state.Transaction(
        client_id=client_id, transaction_id=transaction_id, airtel_money_id=state.new_airtel_money_id(now, "DS"),
        country=country, currency=currency, msisdn=msisdn, amount=amount, scenario=outcome.scenario,
        status=outcome.status, response_code=outcome.response_code, message=outcome.message, created_at=now,
        final_at=now + timedelta(seconds=delay), ambiguous_enquiries=outcome.ambiguous_enquiries)
    if not state.disbursement_add(stored):
        return wire.refusal("DP00900001017", "Duplicate transaction id")
    log.info("airtel simulator: disbursement %s to %s, scenario %s", transaction_id, mask_phone(msisdn),
             outcome.scenario)
    if outcome.initiate_hangs:
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    return _disbursement_answer(stored, with_reference=True)


@csrf_exempt
def disbursement_enquiry(request: HttpRequest, transaction_id: str) -> JsonResponse:
    refusal, client_id, headers = _gate(request, "GET")
    if refusal is not None:
        return refusal
    stored = state.disbursement_get(client_id, transaction_id)
    if stored is None or (stored.country, stored.currency) != headers:
        return wire.refusal("DP00900001015", "Transaction not found")
    return _disbursement_answer(stored, with_reference=False)


def _disbursement_answer(stored: state.Transaction, *, with_reference: bool) -> JsonResponse:
    # The answer to the send itself counts as the first ambiguous answer in scenario 004, like an enquiry.
    status, code, message = transaction_view("disbursement", stored)
    transaction = {"id": stored.transaction_id, "status": status, "message": message}
    if status == "TS":
        transaction["airtel_money_id"] = stored.airtel_money_id
    if with_reference:
        transaction["reference_id"] = stored.airtel_money_id.replace(".", "")
    return wire.answer({"transaction": transaction}, response_code=code, success=status != "TF",
                       message="SUCCESS" if status != "TF" else message)


@csrf_exempt
def user_enquiry(request: HttpRequest, msisdn: str) -> JsonResponse:
    """`GET /standard/v1/users/{msisdn}` (§3.8). (A) the data fields follow public SDKs; the codes §3.5."""
    refusal, _, _ = _gate(request, "GET")
    if refusal is not None:
        return refusal
    if not wire.MSISDN.fullmatch(msisdn):
        return wire.bad_request("Invalid msisdn")
    if not scenarios.user_exists(msisdn):
        return wire.refusal("DP02200000000", "User not found")
    return wire.answer({"first_name": "Sim", "last_name": f"Customer {msisdn[-3:]}", "msisdn": msisdn,
                        "grade": "SUBS", "is_barred": False, "is_pin_set": True},
                       response_code="DP02200000001")
