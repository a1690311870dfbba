"""The hosted checkout page: plain forms and a refreshing status page, so it works with JavaScript off."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.money import Money
from lipwa.common.networks import detect_networks
from lipwa.common.phones import InvalidPhone, default_country_for_currency, parse_phone

from .phone_hints import network_hints
from .receipts import receipt_pdf
from .selectors import checkout_session_public, checkout_session_status, session_methods
from .services import RETRYABLE, checkout_session_pay

REFRESH_SECONDS = 3
FAILURE_MESSAGES = {
    "customer_cancelled": gettext_lazy("You cancelled the request on your phone."),
    "insufficient_funds": gettext_lazy("Insufficient balance. Top up and try again."),
    "customer_timeout": gettext_lazy("You did not answer the prompt on your phone in time."),
    "wrong_pin": gettext_lazy("The PIN entered was wrong."),
    "subscriber_not_found": gettext_lazy("This number is not registered for mobile money."),
    "limit_exceeded": gettext_lazy("This payment is above your account's limit."),
    "invalid_phone": gettext_lazy("The phone number was not accepted."),
    "provider_declined": gettext_lazy("The payment was declined."),
    "provider_unavailable": gettext_lazy("The payment service is unavailable. Try again in a moment."),
    "account_locked": gettext_lazy("Your mobile money account is locked."),
}
METHOD_LABELS = {"mobile_money": gettext_lazy("Mobile money"), "card": gettext_lazy("Card"),
                 "bank_transfer": gettext_lazy("Bank transfer"), "cash": gettext_lazy("Cash on delivery")}
INSTRUCTION_TYPES = ("bank_transfer_instructions", "cash_on_delivery", "display_instructions", "display_code")
INSTRUCTION_HIDDEN = {"type", "amount", "expires_at", "url", "pin", "cash_pin"}


def _language(request: HttpRequest) -> str | None:
    """`?lang=` wins over Accept-Language (LocaleMiddleware); an unknown code falls back to English."""
    wanted = request.GET.get("lang") or request.POST.get("lang")
    if wanted is None:
        return None
    code = wanted if wanted in dict(settings.LANGUAGES) else "en"
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    code = _language(request)
    context.setdefault("lang", translation.get_language())
    response = render(request, f"checkout/{template}", context, status=status)
    if code:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
    return response


def _message(request: HttpRequest, title: str, body: str, status: int) -> HttpResponse:
    return _page(request, "message.html", {"title": title, "body": body}, status=status)


def _session_or_page(request: HttpRequest, session_id: str):
    _language(request)
    session = checkout_session_public(session_id=session_id)
    if session is None:
        return None, _message(request, _("Payment link not found"),
                              _("Check the link the merchant sent you."), 404)
    return session, None


def _context(session, **extra) -> dict:
    return {"session": session, "merchant": session.merchant.name,
            "amount": Money(session.amount_minor, session.currency), **extra}


@require_GET
def checkout_page(request: HttpRequest, session_id: str) -> HttpResponse:
    session, page = _session_or_page(request, session_id)
    if page:
        return page
    status = checkout_session_status(session)
    if status == "complete" or (session.payment_id and session.payment.status not in RETRYABLE):
        return _status_page(request, session)
    if status == "expired":
        return _message(request, _("This payment link has expired"), _("Ask the merchant for a new one."), 410)
    return _form(request, session)


def _form(request, session, *, error: str = "", phone: str = "", method: str = "", status: int = 200):
    methods = [(m, METHOD_LABELS.get(m, m)) for m in session_methods(session)]
    return _page(request, "form.html", _context(
        session, methods=methods, error=error, phone=phone or (session.customer or {}).get("phone", ""),
        chosen=method or (methods[0][0] if methods else ""), based_on=session.payment_id or "",
        network_hints=network_hints(default_country_for_currency(session.currency))), status=status)


@require_POST
def checkout_pay(request: HttpRequest, session_id: str) -> HttpResponse:
    session, page = _session_or_page(request, session_id)
    if page:
        return page
    method = request.POST.get("method", "")
    phone = request.POST.get("phone", "").strip()
    based_on = request.POST.get("based_on", "")
    if method == "mobile_money" and not (session.payment_id and session.payment_id != based_on):
        try:
            parse_phone(phone, default_country_for_currency(session.currency))
        except InvalidPhone:
            return _form(request, session, phone=phone, method=method, status=400,
                         error=_("Enter a valid phone number, e.g. 0712 345 678."))
    try:
        session, payment = checkout_session_pay(session_id=session.id, method=method, phone=phone,
                                                based_on=based_on)
    except Conflict:
        return _message(request, _("This payment link has expired"), _("Ask the merchant for a new one."), 410)
    except (InvalidRequest, NotFound) as exc:
        error = _("Choose one of the payment methods shown.") if exc.param == "method" else str(exc)
        return _form(request, session, phone=phone, method=method, error=error, status=400)
    action = payment.next_action or {}
    if action.get("type") == "redirect" and payment.status == "requires_action" and action.get("url"):
        return redirect(action["url"])
    return redirect(f"/pay/{session.id}/status?lang={translation.get_language()}")


@require_GET
def checkout_status(request: HttpRequest, session_id: str) -> HttpResponse:
    session, page = _session_or_page(request, session_id)
    if page:
        return page
    if not session.payment_id:
        return redirect(f"/pay/{session.id}?lang={translation.get_language()}")
    return _status_page(request, session)


def _status_page(request: HttpRequest, session) -> HttpResponse:
    payment = session.payment
    action = payment.next_action or {}
    instructions = None
    if action.get("type") in INSTRUCTION_TYPES:
        instructions = [(k.replace("_", " ").capitalize(), v) for k, v in action.items()
                        if k not in INSTRUCTION_HIDDEN and isinstance(v, str | int)]
    network = payment.network or ""
    if not network and payment.phone_e164:
        network = next(iter(detect_networks(parse_phone(payment.phone_e164))), "")
    failure = FAILURE_MESSAGES.get(payment.failure_code, _("The payment did not go through.")) \
        if payment.status in RETRYABLE else ""
    if payment.status == "expired":
        failure = _("The payment request expired before it was answered.")
    final = payment.status in RETRYABLE or payment.status == "succeeded"
    expired = checkout_session_status(session) == "expired"
    return _page(request, "status.html", _context(
        session, payment=payment, instructions=instructions, network=network.capitalize(), failure=failure,
        refresh=None if final or instructions else REFRESH_SECONDS, can_retry=bool(failure) and not expired,
        redirect_url=action.get("url") if action.get("type") == "redirect" else ""))


@require_GET
def checkout_return(request: HttpRequest, session_id: str) -> HttpResponse:
    """Where a card gateway sends the customer back."""
    return redirect(f"/pay/{session_id}/status")


@require_http_methods(["GET", "HEAD"])
def checkout_receipt(request: HttpRequest, session_id: str) -> HttpResponse:
    session, page = _session_or_page(request, session_id)
    if page:
        return page
    if checkout_session_status(session) != "complete":
        return _message(request, _("No receipt yet"), _("The receipt is ready once the payment succeeds."), 404)
    response = HttpResponse(receipt_pdf(session.payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{session.payment_id}.pdf"'
    return response
