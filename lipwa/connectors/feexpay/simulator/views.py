"""HTTP views of the FeexPay simulator's mobile-money endpoints (PROVIDERS.md 5.2, 5.3, 5.8).

The checks run in the order a client meets them: method and API key, network, body, shop, fields.
"""

from __future__ import annotations

import functools
import logging
import re
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone
from lipwa.connectors.feexpay import catalogue

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.feexpay")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
AMOUNT_MIN = 100
AMOUNT_MAX = 2_000_000
# 5.2's network segments → the country calling code `phoneNumber` must start with. Written from PROVIDERS.md,
# not from the connector's catalogue, so that the two cannot share a typo (`celtiis_bj`, not `celtiis`).
NETWORK_CALLING_CODES: dict[str, str] = {
    "mtn": "229", "moov": "229", "celtiis_bj": "229", "coris": "229",
    "orange_bf": "226", "moov_bf": "226", "wave_bf": "226",
    "mtn_ci": "225", "moov_ci": "225", "orange_ci": "225", "wave_ci": "225",
    "orange_ml": "223", "mobicash_ml": "223",
    "orange_sn": "221", "free_sn": "221", "wave_sn": "221",
    "togocom_tg": "228", "moov_tg": "228",
    "mtn_cg": "242",
}
# Segments PROVIDERS.md does not list are the catalogue's assumptions (A); they are served too, so that the
# countries DESIGN.md names for FeexPay (CM, GA, GW) can be exercised.
NETWORK_CALLING_CODES.update({p.feexpay_network: catalogue.CALLING_CODES[p.country] for p in catalogue.PROVIDERS
                              if p.feexpay_network and p.feexpay_network not in NETWORK_CALLING_CODES})
# 5.2: letters, digits and spaces only (5.8 validates it).
DESCRIPTION = re.compile(r"[A-Za-z0-9 ]*")
# Benin's numbers are 229 + 10 digits starting 01 since 2023 (5.2, 5.7); elsewhere 8 to 10 national digits.
BENIN_PHONE = re.compile(r"22901[0-9]{8}")
ACCEPTED = "Demande de paiement envoyée au client"


@csrf_exempt
def request_to_pay(request: HttpRequest, network: str) -> HttpResponse:
    """`POST /api/transactions/public/requesttopay/{network}` (5.2)."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    calling_code = NETWORK_CALLING_CODES.get(network)
    if calling_code is None:
        return wire.not_found()
    try:
        body = wire.json_object(request)
        if not wire.shop_matches(body):
            # (A) FeexPay's answer to another shop's id is undocumented.
            return wire.error(403, "This shop does not belong to this API key.")
        fields = _fields(body, calling_code)
    except wire.Invalid as invalid:
        return invalid.response()
    outcome = scenarios.outcome_for_phone(fields["phone_number"])
    if outcome.initiate_fails:
        # Scenario 006: 503 "Service Unavailable" is the one 5xx that says the request was not handled (RFC 9110
        # §15.6.4), so a client can know nothing was created; plain text, as FeexPay's outage answers are (5.2).
        log.info("feexpay simulator: scenario 006 for %s, answering 503", mask_phone(fields["phone_number"]))
        response = HttpResponse("Service Unavailable", status=503, content_type="text/plain")
        response._has_been_logged = True
        return response
    return _accept(network, fields, outcome)


def _fields(body: dict, calling_code: str) -> dict:
    phone_number = body.get("phoneNumber")
    if not isinstance(phone_number, str) or not phone_number.isdigit():
        raise wire.Invalid("phoneNumber", "The phone number must be digits only, country code first.")
    valid = (BENIN_PHONE.fullmatch(phone_number) if calling_code == "229"
             else phone_number.startswith(calling_code) and 8 <= len(phone_number) - len(calling_code) <= 10)
    if not valid:
        raise wire.Invalid("phoneNumber", f"The phone number must start with {calling_code} for this network.")
    amount = wire.whole_amount(body, AMOUNT_MIN, AMOUNT_MAX)
    description = wire.optional_text(body, "description")
    if not DESCRIPTION.fullmatch(description):
        raise wire.Invalid("description", "The description may contain only letters, digits and spaces.")
    if "callback_info" in body and body["callback_info"] is not None and not isinstance(body["callback_info"], str):
        # V2 made callback_info a string; V1 clients still send an object (5.2).
        raise wire.Invalid("callback_info", "The callback info must be a string.")
    return {"phone_number": phone_number, "amount": amount, "description": description,
            "callback_info": body.get("callback_info") or "", "email": wire.optional_text(body, "email"),
            "webhook_url": wire.optional_url(body, catalogue.WEBHOOK_URL_FIELD)}


def _accept(network: str, fields: dict, outcome: scenarios.Outcome) -> HttpResponse:
    early = outcome.callback_before_response or outcome.final_in_response
    delay_seconds: float | None = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS",
                                                                         DEFAULT_DELAY_SECONDS)
    if outcome.status == scenarios.PENDING:
        delay_seconds = None  # 012: never final, so lipwa's own expiry must end it
    transaction = state.transaction_create(
        delay_seconds=delay_seconds, shop=wire.SHOP_ID, network=network, scenario=outcome.scenario,
        final_status=outcome.status, reason=outcome.reason, message=outcome.message, **fields)
    log.info("feexpay simulator: request to pay %s on %s for %s, scenario %s", transaction.reference, network,
             mask_phone(transaction.phone_number), outcome.scenario)
    if outcome.callback_before_response:
        callbacks.deliver(transaction, outcome.callbacks)
    if outcome.initiate_hangs:
        # Scenario 007: the request exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.callbacks and not outcome.callback_before_response:
        after = functools.partial(callbacks.schedule, transaction, outcome.callbacks, delay_seconds or 0.0)
    status = transaction.final_status if outcome.final_in_response else "PENDING"
    body: dict[str, object] = {"reference": transaction.reference, "status": status,
                               "amount": transaction.amount, "message": ACCEPTED}
    if outcome.final_in_response:
        body.update({"reason": transaction.reason, "message": transaction.message})
    return wire.AfterSendJsonResponse(body).run_after_send(after)


@csrf_exempt
def transaction_status(request: HttpRequest, reference: str) -> JsonResponse:
    """`GET /api/transactions/public/single/status/{reference}` (5.3): the Bearer key is required in V2."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    transaction = state.transaction_get(reference)
    if transaction is None:
        return wire.error(404, "Transaction not found")  # (A) the wording of this refusal is ours
    status = transaction.status_at(clock.now())
    body: dict[str, object] = {"reference": transaction.reference, "amount": transaction.amount, "status": status}
    if status != "PENDING":
        body["responsemsg"] = transaction.message
    if status == scenarios.FAILED:
        body["reason"] = transaction.reason
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return wire.not_found()
