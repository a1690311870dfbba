"""HTTP views of the Airtel simulator: OAuth, encryption keys, collection, enquiry and refund
(PROVIDERS.md §3.2–§3.7). Disbursement and KYC views are in `disbursements`.

The checks run in the order a client meets them: method, bearer token, X-Country/X-Currency, signature (v2),
body, then the business rules.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import time
from datetime import timedelta
from hmac import compare_digest

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.airtel")

CLIENT_ID = "sim_key"
CLIENT_SECRET = "sim_secret"
DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
SIGNATURE_MISMATCH = "Forbidden - X-signature and payload did not match"


# -- OAuth and keys -------------------------------------------------------------------------------------


@csrf_exempt
def oauth_token(request: HttpRequest) -> JsonResponse:
    """`POST /auth/oauth2/token` with a JSON (documented) or form body (§3.2)."""
    if request.method != "POST":
        return _method_not_allowed()
    fields = _token_fields(request)
    if fields.get("grant_type") != "client_credentials":
        # (A) the OAuth 2 error body (RFC 6749 §5.2); Airtel documents none.
        return JsonResponse({"error": "unsupported_grant_type",
                             "error_description": "grant_type must be client_credentials"}, status=400)
    client_id, secret = str(fields.get("client_id") or ""), str(fields.get("client_secret") or "")
    if not (compare_digest(client_id.encode(), CLIENT_ID.encode())
            and compare_digest(secret.encode(), CLIENT_SECRET.encode())):
        return JsonResponse({"error": "invalid_client", "error_description": "Client authentication failed"},
                            status=401)
    # expires_in is a string, as in the documented sample (§3.2).
    return JsonResponse({"access_token": state.token_issue(client_id),
                         "expires_in": str(state.TOKEN_LIFETIME_SECONDS), "token_type": "bearer"})


def _token_fields(request: HttpRequest) -> dict:
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST.dict()
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


@csrf_exempt
def encryption_keys(request: HttpRequest) -> JsonResponse:
    """`GET /v1/rsa/encryption-keys` (§3.3): the simulator's own public key, base64 DER SPKI."""
    refusal, _, _ = _gate(request, "GET")
    if refusal is not None:
        return refusal
    der = state.private_key().public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return wire.answer({"key_id": "sim-" + base64.b32encode(der[-10:]).decode().lower().rstrip("="),
                        "key": base64.b64encode(der).decode(),
                        "valid_upto": state.key_valid_upto().strftime("%Y-%m-%dT%H:%M:%SZ")},
                       response_code="DP02010001001")


# -- collection -----------------------------------------------------------------------------------------


@csrf_exempt
def collect(request: HttpRequest, version: str) -> JsonResponse:
    """`POST /merchant/v1/payments/` (unsigned) or `/merchant/v2/payments/` (signed) (§3.4)."""
    refusal, client_id, headers = _gate(request, "POST", signed_code="DP00800001026" if version == "v2" else "")
    if refusal is not None:
        return refusal
    country, currency = headers
    try:
        body = wire.json_object(request)
        wire.text(body, "reference", "")
        subscriber, transaction = wire.obj(body, "subscriber"), wire.obj(body, "transaction")
        _same_market(subscriber, "subscriber", country, currency)
        _same_market(transaction, "transaction", country, currency)
        msisdn = wire.msisdn(subscriber, "subscriber")
        amount = wire.amount(transaction, currency)
        transaction_id = wire.text(transaction, "id", "transaction")
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.message)
    outcome = scenarios.collection_outcome(msisdn)
    if outcome.initiate_fails:
        # Scenario 006: 503 Service Unavailable says the request was not handled (RFC 9110 §15.6.4), so the
        # client knows nothing was created; nothing is stored.
        log.info("airtel simulator: scenario 006 for %s, answering 503", mask_phone(msisdn))
        return wire.answer({}, http_status=503, code="503", message="Service Unavailable", success=False,
                           result_code=None)
    early = outcome.callback_before_response
    delay = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    now = clock.now()
    stored = state.Transaction(
        client_id=client_id, transaction_id=transaction_id, airtel_money_id=state.new_airtel_money_id(now),
        country=country, currency=currency, msisdn=msisdn, amount=amount, scenario=outcome.scenario,
        status=outcome.status, response_code=outcome.response_code, message=outcome.message, created_at=now,
        final_at=now + timedelta(seconds=delay), callback_url=request.headers.get("X-Callback-Url", "").strip(),
        ambiguous_enquiries=outcome.ambiguous_enquiries)
    if not state.collection_add(stored):
        # (A) Airtel refuses a reused transaction.id (§3.4) with a code PROVIDERS.md does not record.
        return wire.refusal("", "Duplicate transaction id", http_status=409)
    log.info("airtel simulator: collection %s for %s, scenario %s", transaction_id, mask_phone(msisdn),
             outcome.scenario)
    message = callbacks.success_message(stored) if outcome.succeeded else outcome.message
    if early:
        callbacks.deliver(stored, outcome.callback_status, message)
    if outcome.initiate_hangs:
        # Scenario 007: the request exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.callbacks and not early:
        after = functools.partial(callbacks.schedule, stored, outcome.callback_status, message, outcome.callbacks,
                                  delay)
    body = {"data": {"transaction": {"id": transaction_id, "status": "SUCCESS"}},
            "status": wire.status_block(response_code="DP00800001006")}
    return wire.AfterSendResponse(body, after=after)


def _same_market(part: dict, where: str, country: str, currency: str) -> None:
    if wire.text(part, "country", where).upper() != country:
        raise wire.Invalid(f"Invalid {where}.country")
    if wire.text(part, "currency", where).upper() != currency:
        raise wire.Invalid(f"Invalid {where}.currency")


@csrf_exempt
def enquiry(request: HttpRequest, transaction_id: str) -> JsonResponse:
    """`GET /standard/v1/payments/{id}` (§3.5), by the merchant's own transaction id."""
    refusal, client_id, headers = _gate(request, "GET")
    if refusal is not None:
        return refusal
    stored = state.collection_get(client_id, transaction_id)
    if stored is None or (stored.country, stored.currency) != headers:
        return wire.refusal("DP00800001025", "Transaction not found")
    status, code, message = transaction_view("collection", stored)
    transaction = {"id": stored.transaction_id, "message": message, "status": status}
    if status == "TS":
        transaction["airtel_money_id"] = stored.airtel_money_id
    return wire.answer({"transaction": transaction}, response_code=code)


def transaction_view(kind: str, stored: state.Transaction) -> tuple[str, str, str]:
    """(status, response code, message) of a stored transaction as an enquiry sees it now."""
    series = "DP008" if kind == "collection" else "DP009"
    if clock.now() < stored.final_at:
        return "TIP", f"{series}00001006", scenarios.MESSAGES[f"{series}00001006"]
    if stored.ambiguous_enquiries and state.enquiry_count(kind, stored) <= stored.ambiguous_enquiries:
        return "TA", f"{series}00001000", scenarios.MESSAGES[f"{series}00001000"]
    message = callbacks.success_message(stored) if stored.status == "TS" else stored.message
    return stored.status, stored.response_code, message


# -- refund ---------------------------------------------------------------------------------------------


@csrf_exempt
def refund(request: HttpRequest, version: str) -> JsonResponse:
    """`POST /standard/v1/payments/refund` or the signed v2 (§3.7): a whole collection, by Airtel's id."""
    refusal, client_id, headers = _gate(request, "POST", signed_code="DP00800001026" if version == "v2" else "")
    if refusal is not None:
        return refusal
    try:
        airtel_money_id = wire.text(wire.obj(wire.json_object(request), "transaction"), "airtel_money_id",
                                    "transaction")
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.message)
    stored = state.collection_by_airtel_money_id(client_id, airtel_money_id)
    if stored is None or (stored.country, stored.currency) != headers:
        return wire.refusal("DP00800001025", "Transaction not found")
    if stored.status != "TS" or clock.now() < stored.final_at:
        return wire.refusal("DP00800001009", "Only successful transactions can be refunded")  # (A)
    if not state.refund_mark(airtel_money_id):
        return wire.refusal("DP00800001009", "Transaction already refunded")  # (A)
    # The documented sample, `"success": false` next to `"status": "SUCCESS"` included (§3.7).
    refund_id = state.new_airtel_money_id(clock.now(), prefix="RF")
    return wire.answer({"transaction": {"airtel_money_id": refund_id, "status": "SUCCESS"}}, success=False)


# -- shared gates ---------------------------------------------------------------------------------------


def _method_not_allowed() -> JsonResponse:
    return wire.answer({}, http_status=405, code="405", message="Method not allowed", success=False,
                       result_code=None)


def _gate(request: HttpRequest, method: str, *, signed_code: str = "") -> tuple[JsonResponse | None, str,
                                                                                   tuple[str, str]]:
    """Method, bearer, X-Country/X-Currency and, for v2 (`signed_code` set), the signature."""
    if request.method != method:
        return _method_not_allowed(), "", ("", "")
    client_id = wire.authorised_client(request)
    if client_id is None:
        return wire.unauthorised(), "", ("", "")
    try:
        headers = wire.country_and_currency(request)
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.message), client_id, ("", "")
    if signed_code and not wire.signature_matches(request):
        return wire.refusal(signed_code, SIGNATURE_MISMATCH), client_id, headers
    return None, client_id, headers


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other path under the simulator (A: Airtel's body for a wrong path is not documented)."""
    return wire.answer({}, http_status=404, code="404", message="Resource not found", success=False,
                       result_code=None)
