"""The simulator's hosted payment page: where `authorization_url` leads (PROVIDERS.md 6.2, 6.8).

Plain HTML forms, no JavaScript. The card form takes the number, expiry, CVV and (for Verve cards) the PIN;
a PIN+OTP card then gets a second page asking for the OTP (`123456`). When the payment ends, the transaction
is final in the simulator's state, `charge.success` is POSTed to the webhook URL once the response has been
written, and the browser is redirected to the transaction's `callback_url` with `?trxref=<ref>&reference=<ref>`
(A: what Paystack's checkout appends), or shown a result page when there is none.
"""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock

from . import callbacks, present, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.paystack")


@csrf_exempt
def checkout(request: HttpRequest, access_code: str) -> HttpResponse:
    """GET shows the page for the transaction's stage; POST takes the card form."""
    transaction = state.transaction_by_access_code(access_code)
    if transaction is None:
        return _html(_page("Payment not found", "<p>This payment link is not valid.</p>"), status=404)
    if request.method != "POST" or transaction.stage != "initialized":
        return _page_for(transaction)
    form = request.POST
    decision = scenarios.card_decision(form.get("card_number", ""), form.get("expiry", ""), form.get("cvv", ""),
                                       form.get("pin", ""), clock.now().date())
    if decision.form_error:
        return _html(_card_form(transaction, decision.form_error), status=400)
    expiry = form.get("expiry", "").strip()
    if decision.needs_otp:
        waiting = state.transaction_advance(transaction.reference, ("initialized",), stage="card_otp",
                                            card_number=decision.card.number, card_expiry=expiry)
        return _page_for(waiting or state.transaction_get(transaction.reference))
    return _finish(transaction, ("initialized",), decision.status, decision.gateway_response, decision.card, expiry)


@csrf_exempt
def checkout_otp(request: HttpRequest, access_code: str) -> HttpResponse:
    """The OTP page's form (the second step of a PIN+OTP card)."""
    transaction = state.transaction_by_access_code(access_code)
    if transaction is None:
        return _html(_page("Payment not found", "<p>This payment link is not valid.</p>"), status=404)
    if request.method != "POST" or transaction.stage != "card_otp":
        return _page_for(transaction)
    card = scenarios.TEST_CARDS[transaction.card_number]
    status, gateway_response = scenarios.otp_decision(card, request.POST.get("otp", ""))
    return _finish(transaction, ("card_otp",), status, gateway_response, card, transaction.card_expiry)


def _finish(transaction: state.SimTransaction, from_stages: tuple[str, ...], status: str, gateway_response: str,
            card: scenarios.SimCard, expiry: str) -> HttpResponse:
    authorization = _card_authorization(card, expiry) if status == "success" else {}
    finished = state.transaction_advance(
        transaction.reference, from_stages, stage="final", final_status=status, gateway_response=gateway_response,
        final_at=clock.now(), authorization=authorization, card_number="", card_expiry="")
    if finished is None:  # another submission of the same page finished it first
        return _page_for(state.transaction_get(transaction.reference))
    log.info("paystack simulator: checkout %s ended %s (%s)", finished.reference, status, gateway_response)
    after = None
    if status == "success":
        state.authorization_save(state.SavedAuthorization(
            code=authorization["authorization_code"], email=finished.email, currency=finished.currency,
            reusable=True, details=authorization))
        after = functools.partial(callbacks.schedule, finished.reference,
                                  functools.partial(callbacks.deliver_charge_success, finished), 0.0)
    if finished.callback_url:
        separator = "&" if "?" in finished.callback_url else "?"
        query = urlencode({"trxref": finished.reference, "reference": finished.reference})
        return wire.AfterSendRedirect(f"{finished.callback_url}{separator}{query}", after=after)
    return wire.AfterSendHtml(_result_page(finished), after=after)


def _card_authorization(card: scenarios.SimCard, expiry: str) -> dict:
    """The `authorization` of a paid card (6.3); reusable, so charge_authorization can use it (6.5)."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry)
    month, year = (match.group(1), match.group(2)) if match else ("12", "30")
    return {"authorization_code": state.new_authorization_code(), "bin": card.number[:6],
            "last4": card.number[-4:], "exp_month": month.zfill(2), "exp_year": year if len(year) == 4 else f"20{year}",
            "channel": "card", "card_type": card.card_type, "bank": "TEST BANK", "country_code": "NG",
            "brand": card.brand, "reusable": True, "signature": "SIG_" + card.number[-8:], "account_name": None}


# -- pages ----------------------------------------------------------------------------------------------------


def _page_for(transaction: state.SimTransaction) -> HttpResponse:
    if transaction.stage == "initialized":
        return _html(_card_form(transaction))
    if transaction.stage == "card_otp":
        return _html(_otp_form(transaction))
    return _html(_result_page(transaction))


def _html(content: str, status: int = 200) -> HttpResponse:
    return HttpResponse(content, status=status, content_type="text/html; charset=utf-8")


def _amount(transaction: state.SimTransaction) -> str:
    return f"{transaction.currency} {transaction.amount // 100:,}.{transaction.amount % 100:02d}"


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · Paystack simulator</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1f2d3d}"
        "label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}"
        "button{margin-top:1rem;padding:.6rem 1.2rem}.error{color:#b00020}"
        "table{font-size:.85rem;border-collapse:collapse;margin-top:2rem}td,th{padding:.2rem .4rem;text-align:left}"
        f"</style></head><body><p><strong>Paystack simulator</strong> · test mode</p>{body}</body></html>"
    )


def _header(transaction: state.SimTransaction) -> str:
    return (f"<h1 id='amount'>Pay {escape(_amount(transaction))}</h1>"
            f"<p id='email'>{escape(transaction.email)}</p>")


def _card_form(transaction: state.SimTransaction, error: str = "") -> str:
    error_html = f"<p class='error' id='error'>{escape(error)}</p>" if error else ""
    cards = "".join(
        f"<tr><td>{card.number}</td><td>{card.cvv}</td><td>{card.pin or '—'}</td><td>{card.otp or '—'}</td>"
        f"<td>{escape(card.gateway_response)}</td></tr>" for card in scenarios.TEST_CARDS.values())
    body = (
        f"{_header(transaction)}{error_html}"
        f"<form method='post' action='{escape(transaction.access_code)}' id='card-form'>"
        "<label for='card_number'>Card number</label>"
        "<input id='card_number' name='card_number' inputmode='numeric' autocomplete='cc-number' required>"
        "<label for='expiry'>Expiry (MM/YY)</label>"
        "<input id='expiry' name='expiry' placeholder='MM/YY' autocomplete='cc-exp' required>"
        "<label for='cvv'>CVV</label><input id='cvv' name='cvv' inputmode='numeric' autocomplete='cc-csc' required>"
        "<label for='pin'>Card PIN (Verve cards only)</label>"
        "<input id='pin' name='pin' type='password' inputmode='numeric'>"
        f"<button type='submit' id='pay'>Pay {escape(_amount(transaction))}</button></form>"
        "<table><tr><th>Test card</th><th>CVV</th><th>PIN</th><th>OTP</th><th>Outcome</th></tr>"
        f"{cards}</table><p>Any future expiry date works.</p>"
    )
    return _page(f"Pay {_amount(transaction)}", body)


def _otp_form(transaction: state.SimTransaction) -> str:
    body = (
        f"{_header(transaction)}<p id='otp-prompt'>Enter the OTP sent to the phone number linked to your card "
        f"(test OTP: {scenarios.CARD_OTP}).</p>"
        f"<form method='post' action='{escape(transaction.access_code)}/otp' id='otp-form'>"
        "<label for='otp'>OTP</label><input id='otp' name='otp' inputmode='numeric' autocomplete='one-time-code' "
        "required><button type='submit' id='submit-otp'>Authorize</button></form>"
    )
    return _page("Enter OTP", body)


def _result_page(transaction: state.SimTransaction) -> str:
    status, gateway_response = present.status_of(transaction, clock.now())
    paid = status in ("success", "reversed")
    headline = "Payment successful" if paid else f"Payment failed: {gateway_response}"
    back = ""
    if transaction.callback_url:
        back = f"<p><a id='back' href='{escape(transaction.callback_url)}'>Return to the merchant</a></p>"
    body = (f"{_header(transaction)}<h2 id='result'>{escape(headline)}</h2>"
            f"<p>Reference {escape(transaction.reference)}</p>{back}")
    return _page(headline, body)
