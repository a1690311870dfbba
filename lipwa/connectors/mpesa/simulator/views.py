"""HTTP views of the Daraja simulator's OAuth and STK endpoints (PROVIDERS.md 1.2-1.4).

The checks run in the order a client meets them at Daraja: method, bearer token, body, fields,
then the merchant's credentials.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from hmac import compare_digest

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.mpesa")

CONSUMER_KEY = "sim_key"
CONSUMER_SECRET = "sim_secret"
SANDBOX_SHORTCODE = "174379"
# Safaricom publishes this passkey for the sandbox shortcode (PROVIDERS.md 1.10).
SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
PASSKEYS = {SANDBOX_SHORTCODE: SANDBOX_PASSKEY}

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
TRANSACTION_TYPES = {"CustomerPayBillOnline", "CustomerBuyGoodsOnline"}
ACCEPTED = "Success. Request accepted for processing"
# Daraja silently drops callbacks to URLs containing these words (PROVIDERS.md 1.5); the simulator
# still delivers, because a random id could contain them, but it says so in the log.
CALLBACK_URL_BLOCKED_WORDS = ("m-pesa", "mpesa", "safaricom", "exe", "exec", "cmd", "sql", "query")


def stk_password(shortcode: str, passkey: str, timestamp: str) -> str:
    """`base64(BusinessShortCode + Passkey + Timestamp)`: plain concatenation, then base64."""
    return base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode("ascii")


# -- STK push fields ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Push:
    shortcode: str
    password: str
    timestamp: str
    amount: int
    party_a: str
    party_b: str
    phone: str
    callback_url: str
    account_reference: str
    transaction_desc: str


def _timestamp(body: dict) -> str:
    text = wire.numeric(body, "Timestamp")
    if len(text) != 14:  # strptime alone would accept single-digit fields; Daraja's format is fixed-width
        raise wire.Invalid("Timestamp")
    try:
        datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError:
        raise wire.Invalid("Timestamp") from None
    return text


def _credentials_fields(body: dict) -> tuple[str, str, str]:
    shortcode = wire.matching(body, "BusinessShortCode", wire.SHORTCODE)
    password = body.get("Password")
    if not isinstance(password, str) or not password:
        raise wire.Invalid("Password")
    return shortcode, password, _timestamp(body)


def _parse_push(body: dict) -> _Push:
    shortcode, password, timestamp = _credentials_fields(body)
    if body.get("TransactionType") not in TRANSACTION_TYPES:
        raise wire.Invalid("TransactionType")
    return _Push(
        shortcode=shortcode, password=password, timestamp=timestamp,
        amount=wire.amount(body),
        party_a=wire.matching(body, "PartyA", wire.MSISDN),
        party_b=wire.matching(body, "PartyB", wire.SHORTCODE),
        phone=wire.matching(body, "PhoneNumber", wire.MSISDN),
        callback_url=wire.http_url(body, "CallBackURL"),
        account_reference=wire.text(body, "AccountReference"),
        transaction_desc=wire.text(body, "TransactionDesc", required=False),
    )


# -- checks shared by the STK endpoints ---------------------------------------------------------------


def _refuse_wrong_credentials(shortcode: str, password: str, timestamp: str) -> JsonResponse | None:
    passkey = PASSKEYS.get(shortcode)
    if passkey is None:
        return wire.envelope(500, "500.001.1001", "Merchant does not exist")
    expected = stk_password(shortcode, passkey, timestamp)
    if not compare_digest(password.encode(), expected.encode()):
        return wire.envelope(500, "500.001.1001", "Wrong credentials")
    return None


# -- views ---------------------------------------------------------------------------------------------


@csrf_exempt
def oauth_generate(request: HttpRequest) -> JsonResponse:
    """`GET /oauth/v1/generate?grant_type=client_credentials` with Basic auth (PROVIDERS.md 1.2)."""
    if request.method != "GET":
        return wire.envelope(405, "405.001", "Method not allowed")
    credentials = _basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None:
        return wire.envelope(400, "400.008.01", "Invalid Authentication passed")
    if request.GET.get("grant_type") != "client_credentials":
        return wire.envelope(400, "400.008.02", "Invalid grant type passed")
    key, secret = credentials
    if not (compare_digest(key.encode(), CONSUMER_KEY.encode())
            and compare_digest(secret.encode(), CONSUMER_SECRET.encode())):
        return wire.envelope(401, "401.002.01", "Invalid consumer key or consumer secret")
    # expires_in is a string on the wire, as Daraja really sends it (PROVIDERS.md 1.2).
    return JsonResponse({"access_token": state.token_issue(), "expires_in": str(state.TOKEN_LIFETIME_SECONDS)})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, colon, secret = decoded.partition(":")
    return (key, secret) if colon else None


@csrf_exempt
def stk_push(request: HttpRequest) -> JsonResponse:
    """`POST /mpesa/stkpush/v1/processrequest` (PROVIDERS.md 1.3)."""
    refusal = wire.refuse_unauthorised_post(request)
    if refusal is not None:
        return refusal
    try:
        push = _parse_push(wire.json_object(request, "BusinessShortCode"))
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.field)
    refusal = _refuse_wrong_credentials(push.shortcode, push.password, push.timestamp)
    if refusal is not None:
        return refusal
    outcome = scenarios.outcome_for_push(push.phone, push.account_reference, push.transaction_desc)
    if outcome.initiate_fails:
        # Scenario 006: "System is busy" is the 5xx that PROVIDERS.md 1.3 documents as refused before any
        # processing (500.003.1001 is listed as "unknown": the prompt may exist). Nothing is stored.
        log.info("mpesa simulator: scenario 006 for %s, answering 500.003.02", mask_phone(push.phone))
        return wire.envelope(500, "500.003.02", "System is busy")
    return _accept_push(push, outcome)


def _accept_push(push: _Push, outcome: scenarios.Outcome) -> JsonResponse:
    # A callback sent before the response (008) means the request was final by then, so the query agrees.
    early = outcome.callback_before_response
    delay_seconds = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    stk = state.stk_create(
        shortcode=push.shortcode, amount=push.amount, phone=push.phone, callback_url=push.callback_url,
        scenario=outcome.scenario, result_code=outcome.result_code, result_desc=outcome.result_desc,
        delay_seconds=delay_seconds,
    )
    log.info("mpesa simulator: STK push %s for %s, scenario %s", stk.checkout_request_id,
             mask_phone(push.phone), outcome.scenario)
    if any(word in push.callback_url.lower() for word in CALLBACK_URL_BLOCKED_WORDS):
        log.warning("mpesa simulator: real Daraja would drop callbacks to %s (blocked word in the URL)",
                    push.callback_url)
    if early:
        callbacks.deliver(stk, outcome.callbacks)
    if outcome.initiate_hangs:
        # Scenario 007: the request exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.callbacks and not early:
        after = functools.partial(callbacks.schedule, stk, outcome.callbacks, delay_seconds)
    body = {"MerchantRequestID": stk.merchant_request_id, "CheckoutRequestID": stk.checkout_request_id,
            "ResponseCode": "0", "ResponseDescription": ACCEPTED, "CustomerMessage": ACCEPTED}
    return wire.AfterSendResponse(body, after=after)


@csrf_exempt
def stk_query(request: HttpRequest) -> JsonResponse:
    """`POST /mpesa/stkpushquery/v1/query` (PROVIDERS.md 1.4)."""
    refusal = wire.refuse_unauthorised_post(request)
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request, "BusinessShortCode")
        shortcode, password, timestamp = _credentials_fields(body)
        checkout_request_id = body.get("CheckoutRequestID")
        if not isinstance(checkout_request_id, str) or not checkout_request_id:
            raise wire.Invalid("CheckoutRequestID")
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.field)
    refusal = _refuse_wrong_credentials(shortcode, password, timestamp)
    if refusal is not None:
        return refusal
    stk = state.stk_get(checkout_request_id)
    if stk is None or stk.shortcode != shortcode:
        return wire.bad_request("CheckoutRequestID")
    if clock.now() < stk.final_at:
        # Not a failure: the customer has not answered yet. Daraja puts the CheckoutRequestID in requestId.
        return wire.envelope(500, "500.001.1001", "The transaction is being processed",
                             request_id=stk.checkout_request_id)
    return JsonResponse({
        "ResponseCode": "0",
        "ResponseDescription": "The service request has been accepted successfully",
        "MerchantRequestID": stk.merchant_request_id,
        "CheckoutRequestID": stk.checkout_request_id,
        "ResultCode": str(stk.result_code),  # a string here, a number in the callback (PROVIDERS.md 1.4)
        "ResultDesc": stk.result_desc,
    })


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other path under the simulator answers as Daraja does for a wrong path."""
    return wire.envelope(404, "404.001.01", "Resource not found")
