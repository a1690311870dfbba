"""HTTP views of the Paynow simulator: initiate (web and express) and poll (PROVIDERS.md 7.1-7.6).

The checks run in the order a client meets them (A: Paynow documents no order): the integration ID, the hash,
then the fields in the order of the documentation, then the test-mode rules (7.8), then the scenario.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.paynow")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
# (V community) Paynow's answer to a test-mode integration used with someone else's authemail.
TEST_MODE_AUTHEMAIL = ("The integration ID specified is currently in test mode. The authemail used must belong to "
                       "the company in control of the integration ID.")
# Which prefixes each wallet serves (PROVIDERS.md 7.9: EcoCash 077/078, NetOne OneMoney 071); InnBucks is a
# wallet app open to any Zimbabwean mobile number (A).
WALLET_PREFIXES = {"ecocash": ("077", "078"), "onemoney": ("071",), "innbucks": ("07",)}
INSTRUCTIONS = {  # the text Paynow returns for the customer (7.3); the exact wording is ours (A)
    "ecocash": "A payment prompt has been sent to your EcoCash phone. Enter your EcoCash PIN to approve it.",
    "onemoney": "A payment prompt has been sent to your OneMoney phone. Enter your OneMoney PIN to approve it.",
    "innbucks": "Open the InnBucks app and enter the authorization code to approve the payment.",
}
UNAVAILABLE_PAGE = ("<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
                    "<h2>Service Unavailable</h2><hr><p>HTTP Error 503. The service is unavailable.</p>"
                    "</body></html>")
CAT = timezone(timedelta(hours=2), "CAT")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class _Initiate:
    integration: wire.Integration
    reference: str
    amount: str
    return_url: str
    result_url: str
    method: str = ""
    phone: str = ""


# -- field checks ------------------------------------------------------------------------------------------


def _integration(pairs: list[tuple[str, str]]) -> wire.Integration:
    integration = wire.INTEGRATIONS.get(wire.first(pairs, "id").strip())
    if integration is None:
        raise wire.Refused("Invalid Id.")  # (A) the wording for an unknown integration ID
    right, expected = wire.hash_is_right(pairs, integration.key)
    if not right:
        # Paynow gives away the first six characters of the hash it expected (V community, PROVIDERS.md 7.4).
        raise wire.Refused(f"Invalid Hash.  Hash should start with: {expected[:6]}")
    return integration


def _amount(text: str) -> str:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise wire.Refused("Invalid amount field") from None
    # Two decimals at most, no currency symbol (7.2); `10.0` from one SDK is fine.
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:
        raise wire.Refused("Invalid amount field")
    return f"{value:.2f}"


def _url(pairs: list[tuple[str, str]], name: str) -> str:
    value = wire.first(pairs, name).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise wire.Refused(f"Invalid {name} field")
    return value


def _parse(pairs: list[tuple[str, str]], *, express: bool) -> _Initiate:
    integration = _integration(pairs)
    reference = wire.first(pairs, "reference").strip()
    if not reference:
        raise wire.Refused("Missing reference field")
    amount = _amount(wire.first(pairs, "amount"))
    return_url, result_url = _url(pairs, "returnurl"), _url(pairs, "resulturl")
    if wire.first(pairs, "status") != "Message":
        raise wire.Refused("Invalid status field")
    if not express:
        # authemail is optional for web checkout (7.2) and not checked: the official SDK sends it quote_plus-
        # encoded there (`buyer%40example.com`), which no login email could ever equal.
        return _Initiate(integration, reference, amount, return_url, result_url)
    # In test mode express checkout needs the merchant's own login as authemail (7.2, 7.8).
    if integration.test_mode and wire.first(pairs, "authemail").strip().lower() not in integration.merchant_emails:
        raise wire.Refused(TEST_MODE_AUTHEMAIL)
    method = wire.first(pairs, "method").strip().lower()
    if method not in WALLET_PREFIXES:
        raise wire.Refused("Invalid payment method")  # (A) vmc, zimswitch, paygo are not modelled
    phone = scenarios.local_number(wire.first(pairs, "phone"))
    if phone is None or not phone.startswith(WALLET_PREFIXES[method]):
        raise wire.Refused(f"Invalid mobile number for {method}")
    return _Initiate(integration, reference, amount, return_url, result_url, method, phone)


# -- views -------------------------------------------------------------------------------------------------


@csrf_exempt
def initiate_web(request: HttpRequest) -> HttpResponse:
    """`POST /interface/initiatetransaction` (7.1, 7.2): the customer will decide on the browser page."""
    if request.method != "POST":
        return HttpResponse("Method not allowed", status=405, content_type="text/plain")
    try:
        fields = _parse(wire.form_pairs(request), express=False)
    except wire.Refused as refused:
        return wire.error_response(refused.message)
    transaction = state.transaction_create(
        mount=wire.mount_prefix(request, "/interface/"), integration_id=fields.integration.integration_id,
        reference=fields.reference, amount=fields.amount, method="", phone="", result_url=fields.result_url,
        return_url=fields.return_url, scenario="web", final_status="", delay_seconds=None, callbacks=1)
    log.info("paynow simulator: web checkout %s for %s", transaction.paynow_reference, fields.reference)
    pairs = [("status", "Ok"), ("browserurl", transaction.browser_url), ("pollurl", transaction.poll_url),
             ("paynowreference", transaction.paynow_reference)]
    return wire.form_response(wire.signed_pairs(pairs, fields.integration.key))


@csrf_exempt
def initiate_express(request: HttpRequest) -> HttpResponse:
    """`POST /interface/remotetransaction` (7.1, 7.2): EcoCash, OneMoney, InnBucks, by the payer's phone."""
    if request.method != "POST":
        return HttpResponse("Method not allowed", status=405, content_type="text/plain")
    try:
        fields = _parse(wire.form_pairs(request), express=True)
    except wire.Refused as refused:
        return wire.error_response(refused.message)
    outcome = scenarios.outcome_for_phone(fields.phone)
    if outcome.initiate_fails:
        # Scenario 006: 503 is the one 5xx that says the request was not handled (RFC 9110 §15.6.4), so a client
        # can know nothing was created. Paynow itself never answers 5xx (it answers 200 status=Error); this is
        # what its load balancer says when the application is down (P).
        log.info("paynow simulator: scenario 006 for %s, answering 503", mask_phone(fields.phone))
        response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html")
        response._has_been_logged = True  # a simulated outage, not a crash: keep Django's error log quiet
        return response
    if outcome.initiate_error:
        return wire.error_response(outcome.initiate_error)
    return _accept_express(request, fields, outcome)


def _accept_express(request: HttpRequest, fields: _Initiate, outcome: scenarios.Outcome) -> HttpResponse:
    early = outcome.callback_before_response
    if early:
        delay = 0.0  # the update is sent before the answer, so the transaction is final by then
    elif outcome.delay_seconds is not None:
        delay = outcome.delay_seconds
    else:
        delay = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    transaction = state.transaction_create(
        mount=wire.mount_prefix(request, "/interface/"), integration_id=fields.integration.integration_id,
        reference=fields.reference, amount=fields.amount, method=fields.method, phone=fields.phone,
        result_url=fields.result_url, return_url=fields.return_url, scenario=outcome.scenario,
        final_status=outcome.final_status, delay_seconds=delay, callbacks=outcome.callbacks,
        innbucks=fields.method == "innbucks")
    log.info("paynow simulator: %s %s for %s, scenario %s", fields.method, transaction.paynow_reference,
             mask_phone(fields.phone), outcome.scenario)
    if early:
        callbacks.deliver(transaction, outcome.callbacks)
    if outcome.initiate_hangs:
        # Scenario 007: the transaction exists and will succeed, but the client's read timeout fires first.
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    after = None
    if outcome.callbacks and not early:
        after = functools.partial(callbacks.schedule, transaction, outcome.callbacks, delay)
    pairs = [("status", "Ok"), ("pollurl", transaction.poll_url), ("paynowreference", transaction.paynow_reference),
             ("instructions", INSTRUCTIONS[fields.method])]
    if transaction.authorization_code:
        pairs += [("authorizationcode", transaction.authorization_code),
                  ("authorizationexpires", _paynow_time(transaction.authorization_expires))]
    return wire.form_response(wire.signed_pairs(pairs, fields.integration.key), after=after)


def _paynow_time(at: datetime) -> str:
    """`d-MMM-yyyy HH:mm` in Zimbabwe's time, CAT = UTC+2 (PROVIDERS.md 7.3; the zone is A)."""
    local = at.astimezone(CAT)
    return f"{local.day}-{MONTHS[local.month - 1]}-{local.year} {local:%H:%M}"


@csrf_exempt
def poll(request: HttpRequest) -> HttpResponse:
    """`POST <pollurl>` with an empty body (7.6): the transaction's current status, hashed."""
    transaction = state.transaction_get(request.GET.get("guid", "").strip())
    if transaction is None:
        return wire.error_response("Invalid transaction")  # (A) the wording for an unknown guid
    integration = wire.INTEGRATIONS[transaction.integration_id]
    pairs = [("reference", transaction.reference), ("paynowreference", transaction.paynow_reference),
             ("amount", transaction.amount), ("status", transaction.status_at(clock.now())),
             ("pollurl", transaction.poll_url)]
    return wire.form_response(wire.signed_pairs(pairs, integration.key))


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under the simulator: an HTML 404, as a web server says it (A)."""
    return HttpResponse("<!DOCTYPE html><html><body><h2>404 - File or directory not found.</h2></body></html>",
                        status=404, content_type="text/html")
