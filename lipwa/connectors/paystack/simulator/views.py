"""HTTP views of the Paystack simulator's transaction endpoints (PROVIDERS.md 6.2-6.5).

The checks run in the order a client meets them: method and secret key, body, fields, then the scenario.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from datetime import timedelta

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, present, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.paystack")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
GHANA_PROVIDERS = ("mtn", "vod", "atl", "tgo")  # 6.4 (`tgo` is legacy, A)
KENYA_PROVIDERS = ("mpesa", "mptill")
UNAVAILABLE = "Service temporarily unavailable, please try again"  # (P) scenario 006's 503


@csrf_exempt
def initialize(request: HttpRequest) -> JsonResponse:
    """`POST /transaction/initialize` (6.2): a checkout on the simulator's hosted page."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_body(request)
        fields = {"email": wire.email(body), "amount": wire.amount(body), "currency": wire.currency(body)}
        reference = wire.reference(body)
    except wire.Invalid as invalid:
        return wire.refusal(400, invalid.message)
    try:
        transaction = state.transaction_create(
            reference=reference, channel="card", stage="initialized", metadata=wire.metadata(body),
            webhook_url=request.headers.get(wire.CALLBACK_URL_HEADER, "").strip(),
            callback_url=wire.http_url(body.get("callback_url")), **fields)
    except state.DuplicateReference:
        return wire.refusal(400, "Duplicate Transaction Reference")
    prefix = request.path[:request.path.rfind("transaction/initialize")]
    url = request.build_absolute_uri(f"{prefix}checkout/{transaction.access_code}")
    log.info("paystack simulator: initialized %s", transaction.reference)
    return wire.ok("Authorization URL created", {"authorization_url": url, "access_code": transaction.access_code,
                                                 "reference": transaction.reference})


@csrf_exempt
def verify(request: HttpRequest, reference: str) -> JsonResponse:
    """`GET /transaction/verify/{reference}` (6.3)."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    transaction = state.transaction_get(reference)
    if transaction is None:
        return wire.refusal(404, "Transaction reference not found")  # (A)
    return wire.ok("Verification successful", present.transaction_json(transaction, clock.now()))


@csrf_exempt
def charge(request: HttpRequest) -> JsonResponse:
    """`POST /charge` with `mobile_money` (6.4); the answer is a step (`send_otp`, `pay_offline`) or final."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_body(request)
        fields = {"email": wire.email(body), "amount": wire.amount(body), "currency": wire.currency(body)}
        reference = wire.reference(body)
        provider, phone = _mobile_money(body, fields["currency"])
    except wire.Invalid as invalid:
        return wire.refusal(400, invalid.message)
    outcome = scenarios.mobile_money_outcome(provider, phone)
    if outcome.initiate_fails:
        # Scenario 006: a 503 is a refusal before any processing (RFC 9110 §15.6.4); nothing is stored.
        log.info("paystack simulator: scenario 006 for %s, answering 503", mask_phone(phone))
        return wire.refusal(503, UNAVAILABLE)
    stage = "send_otp" if outcome.needs_voucher else "final" if outcome.immediate else "pay_offline"
    try:
        transaction = state.transaction_create(
            reference=reference, channel="mobile_money", stage=stage, metadata=wire.metadata(body),
            webhook_url=request.headers.get(wire.CALLBACK_URL_HEADER, "").strip(), provider=provider, phone=phone,
            scenario=outcome.scenario, webhooks=outcome.webhooks, final_status=outcome.status,
            gateway_response=outcome.gateway_response, final_at=_final_at(outcome),
            authorization=_wallet_authorization(provider, phone), **fields)
    except state.DuplicateReference:
        return wire.refusal(400, "Duplicate Transaction Reference")
    log.info("paystack simulator: %s charge %s for %s, scenario %s", provider, transaction.reference,
             mask_phone(phone), outcome.scenario)
    if stage == "pay_offline":
        return _prompt_sent(transaction, outcome)
    after = None
    if stage == "final" and outcome.succeeded:
        after = functools.partial(callbacks.schedule, transaction.reference,
                                  functools.partial(callbacks.deliver_charge_success, transaction), 0.0)
    return wire.ok("Charge attempted", present.transaction_json(transaction, clock.now(), charge_view=True),
                   after=after)


@csrf_exempt
def submit_otp(request: HttpRequest) -> JsonResponse:
    """`POST /charge/submit_otp {otp, reference}` (6.4): the Telecel voucher; then the prompt's scenario."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_body(request)
    except wire.Invalid as invalid:
        return wire.refusal(400, invalid.message)
    otp, reference = str(body.get("otp") or "").strip(), str(body.get("reference") or "")
    transaction = state.transaction_get(reference)
    if transaction is None:
        return wire.refusal(400, "Transaction reference not found")  # (A)
    if not re.fullmatch(r"\d{6}", otp) or otp == scenarios.WRONG_VOUCHER:
        failed = state.transaction_advance(reference, ("send_otp",), stage="final", final_status="failed",
                                           gateway_response=scenarios.INCORRECT_OTP, final_at=clock.now())
        if failed is None:
            return wire.refusal(400, "Transaction is not awaiting an OTP")  # (A)
        return wire.ok("Charge attempted", present.transaction_json(failed, clock.now(), charge_view=True))
    outcome = scenarios.mobile_money_outcome(transaction.provider, transaction.phone)
    advanced = state.transaction_advance(reference, ("send_otp",), stage="pay_offline", final_at=_final_at(outcome))
    if advanced is None:
        return wire.refusal(400, "Transaction is not awaiting an OTP")
    return _prompt_sent(advanced, outcome)


@csrf_exempt
def check_charge(request: HttpRequest, reference: str) -> JsonResponse:
    """`GET /charge/{reference}` (6.4): a pending charge, with the step it is at."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    transaction = state.transaction_get(reference)
    if transaction is None:
        return wire.refusal(404, "Transaction reference not found")
    return wire.ok("Reference check successful", present.transaction_json(transaction, clock.now(), charge_view=True))


@csrf_exempt
def charge_authorization(request: HttpRequest) -> JsonResponse:
    """`POST /transaction/charge_authorization` (6.5); outcome by the amount's last three digits (P)."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_body(request)
        email, amount = wire.email(body), wire.amount(body)
        reference = wire.reference(body)
        saved = _saved_authorization(body, email)
        currency = wire.currency({"currency": body.get("currency") or saved.currency})
    except wire.Invalid as invalid:
        return wire.refusal(400, invalid.message)
    decided = scenarios.authorization_charge_outcome(amount)
    if decided is None:
        return wire.refusal(503, UNAVAILABLE)
    status, gateway_response = decided
    try:
        transaction = state.transaction_create(
            reference=reference, channel="card", stage="final", email=email, amount=amount, currency=currency,
            metadata=wire.metadata(body), webhook_url=request.headers.get(wire.CALLBACK_URL_HEADER, "").strip(),
            final_status=status, gateway_response=gateway_response, final_at=clock.now(),
            authorization=saved.details)
    except state.DuplicateReference:
        return wire.refusal(400, "Duplicate Transaction Reference")
    after = None
    if status == "success":
        after = functools.partial(callbacks.schedule, transaction.reference,
                                  functools.partial(callbacks.deliver_charge_success, transaction), 0.0)
    return wire.ok("Charge attempted", present.transaction_json(transaction, clock.now()), after=after)


@csrf_exempt
def balance(request: HttpRequest) -> JsonResponse:
    """`GET /balance`: the integration's balance per currency; a read, so a key can be checked with it (A: the
    path and shape are Paystack's public API, not in PROVIDERS.md)."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    return wire.ok("Balances retrieved", [{"currency": currency, "balance": amount}
                                          for currency, amount in state.balances(wire.CURRENCIES).items()])


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return wire.refusal(404, "Route not found")  # (A)


# -- helpers ------------------------------------------------------------------------------------------------


def _mobile_money(body: dict, currency: str) -> tuple[str, str]:
    """(provider, normalised phone or till) of a Charge API body, or wire.Invalid."""
    details = body.get("mobile_money")
    if not isinstance(details, dict):
        raise wire.Invalid("The simulator models mobile_money charges only; pay cards on the hosted checkout")
    provider = str(details.get("provider") or "").strip().lower()
    if provider not in GHANA_PROVIDERS + KENYA_PROVIDERS:
        raise wire.Invalid("Invalid mobile money provider")  # (A)
    expected = "GHS" if provider in GHANA_PROVIDERS else "KES"
    if currency != expected:
        raise wire.Invalid(f"Currency {currency} is not supported for {provider}")  # (A)
    if provider == "mptill":
        account = str(details.get("account") or "").strip()
        if not re.fullmatch(r"\d{5,7}", account):
            raise wire.Invalid("Invalid till account")  # (A)
        return provider, account
    phone = _ghana_phone(details.get("phone")) if expected == "GHS" else _kenya_phone(details.get("phone"))
    if phone is None:
        raise wire.Invalid("Invalid phone number")  # (A)
    return provider, phone


def _ghana_phone(value: object) -> str | None:
    """`0553241149`, `233553241149` or `+233553241149` → `0553241149` (6.4 uses the local form)."""
    text = re.sub(r"[\s-]", "", str(value or ""))
    match = re.fullmatch(r"(?:\+?233|0)([2-5]\d{8})", text)
    return "0" + match.group(1) if match else None


def _kenya_phone(value: object) -> str | None:
    """`+2547…`, `2547…` (6.4), also `07…`/`01…` → `2547…` digits."""
    text = re.sub(r"[\s-]", "", str(value or ""))
    match = re.fullmatch(r"(?:\+?254|0)([17]\d{8})", text)
    return "254" + match.group(1) if match else None


def _final_at(outcome: scenarios.MobileMoneyOutcome):
    # A webhook sent before the response (008) means the charge was final by then, so verify agrees.
    early = outcome.webhook_before_response or outcome.immediate
    delay = 0.0 if early else wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    return clock.now() + timedelta(seconds=delay)


def _wallet_authorization(provider: str, phone: str) -> dict:
    """The `authorization` of a paid mobile-money charge: a wallet, never reusable for charge_authorization."""
    return {"authorization_code": state.new_authorization_code(), "bin": phone[:6], "last4": phone[-4:],
            "exp_month": "12", "exp_year": "9999", "channel": "mobile_money", "card_type": "", "bank": provider.upper(),
            "country_code": "GH" if provider in GHANA_PROVIDERS else "KE", "brand": provider, "reusable": False,
            "signature": None, "account_name": None, "mobile_money_number": phone}


def _prompt_sent(transaction: state.SimTransaction, outcome: scenarios.MobileMoneyOutcome) -> JsonResponse:
    """Answer `pay_offline` and schedule the scenario's webhooks (never before this response, except 008)."""
    early = outcome.webhook_before_response
    if early and outcome.succeeded:
        callbacks.deliver_charge_success(transaction, outcome.webhooks)
    if outcome.initiate_hangs:
        # Scenario 007: the charge exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.succeeded and outcome.webhooks and not early:
        delay = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
        send = functools.partial(callbacks.deliver_charge_success, transaction, outcome.webhooks)
        after = functools.partial(callbacks.schedule, transaction.reference, send, delay)
    return wire.ok("Charge attempted", present.transaction_json(transaction, clock.now(), charge_view=True),
                   after=after)


def _saved_authorization(body: dict, email: str) -> state.SavedAuthorization:
    code = str(body.get("authorization_code") or "").strip()
    saved = state.authorization_get(code)
    if saved is None:
        raise wire.Invalid("Invalid authorization code")  # (A)
    if not saved.reusable:
        raise wire.Invalid("Authorization is not reusable")  # (A) 6.5: only reusable authorizations
    if saved.email.lower() != email.lower():
        raise wire.Invalid("Authorization code does not belong to this customer")  # (A)
    return saved
