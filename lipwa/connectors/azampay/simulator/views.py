"""HTTP views of the AzamPay simulator's authenticator and checkout hosts (PROVIDERS.md 4.2-4.4).

The checks run in the order a client meets them at AzamPay: method, bearer token, API key, body, fields, then
the business rules (minimum amount, a reused externalId).
"""

from __future__ import annotations

import functools
import logging
import time
from hmac import compare_digest

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common.phones import mask_phone

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.azampay")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
MNO_PROVIDERS = ("Airtel", "Tigo", "Halopesa", "Azampesa", "Mpesa")  # 4.3
BANK_PROVIDERS = ("CRDB", "NMB")  # 4.4
# "commonly TZS 100-1,000" (4.10, A): the simulator refuses below the lower end.
AMOUNT_MIN_SHILLINGS = 100
ACCEPTED = "Request in progress. You will receive a callback shortly"
BAD_CREDENTIALS = "Provided detail is not valid for this app or secret key has been expired"
_BANK_ACCOUNT_DIGITS = (6, 20)


@csrf_exempt
def generate_token(request: HttpRequest) -> HttpResponse:
    """`POST /AppRegistration/GenerateToken` `{appName, clientId, clientSecret}` (4.2)."""
    if request.method != "POST":
        return wire.empty(405)
    if request.content_type != "application/json":
        return wire.empty(415)
    try:
        fields = wire.Fields(wire.json_object(request))
    except wire.BadBody:
        return wire.unreadable_body()
    fields.text("appName")
    client_id, secret = fields.text("clientId"), fields.text("clientSecret")
    if fields.errors:
        return wire.problem(fields.errors)
    if not (compare_digest(client_id.encode(), wire.CLIENT_ID.encode())
            and compare_digest(secret.encode(), wire.CLIENT_SECRET.encode())):
        # 423 is what AzamPay answers for bad credentials (4.2, V SDK); the body is its envelope (A).
        return wire.envelope(423, BAD_CREDENTIALS)
    token, expires_at = state.token_issue()
    return JsonResponse({"data": {"accessToken": token, "expire": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
                         "message": "Token generated successfully", "success": True, "statusCode": 200})


@csrf_exempt
def mno_checkout(request: HttpRequest) -> HttpResponse:
    """`POST /azampay/mno/checkout` (4.3): the USSD push to the payer's wallet."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request)
    except wire.BadBody:
        return wire.unreadable_body()
    fields = wire.Fields(body)
    msisdn = fields.msisdn("accountNumber")
    amount = fields.amount()
    _currency(fields, "currency")
    external_id = _external_id(fields, "externalId")
    provider = fields.choice("provider", MNO_PROVIDERS)
    properties = fields.object("additionalProperties")
    if fields.errors:
        return wire.problem(fields.errors)
    return _accept(kind="mno", external_id=external_id, account_number=msisdn, msisdn=msisdn, amount=amount,
                   provider=provider, callback_url=wire.callback_url(body), properties=properties)


@csrf_exempt
def bank_checkout(request: HttpRequest) -> HttpResponse:
    """`POST /azampay/bank/checkout` (4.4): debit a CRDB or NMB account with the customer's OTP."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request)
    except wire.BadBody:
        return wire.unreadable_body()
    fields = wire.Fields(body)
    amount = fields.amount()
    _currency(fields, "currencyCode")
    account = fields.text("merchantAccountNumber")
    low, high = _BANK_ACCOUNT_DIGITS
    if account and not (account.isdigit() and low <= len(account) <= high):
        fields.fail("merchantAccountNumber", f"The merchantAccountNumber field must be {low} to {high} digits.")
    msisdn = fields.msisdn("merchantMobileNumber")
    fields.text("merchantName", required=False)
    otp = fields.text("otp")
    if otp and not otp.isdigit():
        fields.fail("otp", "The otp field must be digits.")
    provider = fields.choice("provider", BANK_PROVIDERS)
    reference_id = _external_id(fields, "referenceId")
    properties = fields.object("additionalProperties")
    if fields.errors:
        return wire.problem(fields.errors)
    return _accept(kind="bank", external_id=reference_id, account_number=account, msisdn=msisdn, amount=amount,
                   provider=provider, callback_url=wire.callback_url(body), properties=properties)


def _currency(fields: wire.Fields, name: str) -> None:
    currency = fields.text(name)
    if currency and currency != "TZS":
        fields.fail(name, f"The {name} field must be TZS.")  # "only TZS" (4.3)


def _external_id(fields: wire.Fields, name: str) -> str:
    value = fields.text(name, max_chars=128)  # ≤ 128 ASCII characters (4.3)
    if value and not value.isascii():
        fields.fail(name, f"The {name} field must be ASCII.")
    return value


def _refused(message: str) -> JsonResponse:
    """`success: false` with a message: rejected, nothing created (4.3; A: HTTP 200, as SDKs read `success`)."""
    return JsonResponse({"success": False, "transactionId": None, "message": message})


def _accept(*, kind: str, external_id: str, account_number: str, msisdn: str, amount: int, provider: str,
            callback_url: str, properties: dict | None) -> HttpResponse:
    if amount < AMOUNT_MIN_SHILLINGS:
        return _refused(f"Amount must be at least {AMOUNT_MIN_SHILLINGS} TZS")
    outcome = scenarios.outcome_for_account(account_number, kind)
    if outcome.initiate_fails:
        # Scenario 006: 503 Service Unavailable means the request was not handled (RFC 9110 §15.6.4), so a
        # client can know that nothing was created; nothing is stored.
        log.info("azampay simulator: scenario 006 for %s, answering 503", mask_phone(account_number))
        return wire.envelope(503, "Service temporarily unavailable")
    # A callback sent before the response (008) means the checkout was final by then, so the query agrees.
    early = outcome.callback_before_response
    delay_seconds = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    never_final = outcome.status == scenarios.PENDING
    checkout = state.checkout_create(
        external_id=external_id, kind=kind, account_number=account_number, msisdn=msisdn, amount=amount,
        provider=provider, callback_url=callback_url, scenario=outcome.scenario, status=outcome.status,
        message=outcome.message, delay_seconds=None if never_final else delay_seconds,
        additional_properties=properties)
    if checkout is None:
        return _refused(f"Duplicate externalId {external_id}")  # (P): an id is used once
    log.info("azampay simulator: %s checkout %s (%s) for %s, scenario %s", kind, checkout.transaction_id,
             external_id, mask_phone(account_number), outcome.scenario)
    if early:
        callbacks.deliver(checkout, outcome.callbacks)
    if outcome.initiate_hangs:
        # Scenario 007: the checkout exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.callbacks and not early:
        after = functools.partial(callbacks.schedule, checkout, outcome.callbacks, delay_seconds)
    return wire.AfterSendResponse({"success": True, "transactionId": checkout.transaction_id, "message": ACCEPTED},
                                  after=after)


@csrf_exempt
def payment_partners(request: HttpRequest) -> HttpResponse:
    """`GET /api/v1/Partner/GetPaymentPartners` (4.3): the wallets a checkout may name (fields A)."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    partners = [{"id": str(index), "logoUrl": "", "partnerName": name, "provider": index, "vendorName": name,
                 "paymentVendorId": str(index), "paymentPartnerId": str(index), "currency": "TZS"}
                for index, name in enumerate(MNO_PROVIDERS, start=1)]
    return JsonResponse(partners, safe=False)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path on a host: ASP.NET's bare 404 (also a path of another host: each host has its own)."""
    return wire.empty(404)
