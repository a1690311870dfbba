"""The hosted card page: `POST /api/feexlink/api-create` (PROVIDERS.md 5.5) and the page it links to.

The real page lives on `checkout.feexpay.me`; the simulator serves it at `/simulators/feexpay/checkout/<id>`, so
`urlPay` points there. The customer types a test card number (see `scenarios.CARD_OUTCOMES`) or cancels; the
payment is final at once, its webhook follows the page's answer, and the browser goes back to `callback_url`
(success) or `callback_error` (anything else) with `reference` and `status` in the query string (A).
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from lipwa.connectors.feexpay import catalogue

from . import callbacks, scenarios, state, wire

log = logging.getLogger("lipwa.simulators.feexpay")

# Limits per currency in whole units: FeexPay's own for XOF/XAF (5.2), the catalogue's assumption for cards.
LIMITS = {"XOF": (100, 2_000_000), "XAF": (100, 2_000_000)}
LIMITS.update({p.currency: (p.amount_min // 100, p.amount_max // 100) for p in catalogue.PROVIDERS
               if p.method == catalogue.CARD and p.currency not in LIMITS})
PAYMENT_METHODS = ("CARD", "ALL")


@csrf_exempt
def link_create(request: HttpRequest) -> JsonResponse:
    """`POST /api/feexlink/api-create` (or `/api/feexlinks/generate`) → `{"urlPay"}`."""
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request)
        if not wire.shop_matches(body):
            return wire.error(403, "This shop does not belong to this API key.")
        currency = wire.optional_text(body, catalogue.CARD_CURRENCY_FIELD) or "XOF"
        if currency not in LIMITS:
            raise wire.Invalid(catalogue.CARD_CURRENCY_FIELD, "The selected currency is invalid.")
        amount = wire.whole_amount(body, *LIMITS[currency])
        if body.get("paymentMethod", "ALL") not in PAYMENT_METHODS:
            raise wire.Invalid("paymentMethod", "The payment method must be CARD or ALL.")
        link = state.link_create(
            shop=wire.SHOP_ID, amount=amount, currency=currency, description=wire.optional_text(body, "description"),
            return_url=wire.optional_url(body, "callback_url"), error_url=wire.optional_url(body, "callback_error"),
            webhook_url=wire.optional_url(body, catalogue.WEBHOOK_URL_FIELD),
            callback_info=wire.optional_text(body, "callback_info"))
    except wire.Invalid as invalid:
        return invalid.response()
    prefix = request.path[:request.path.index("/api/")]  # where the simulator is mounted
    log.info("feexpay simulator: card link %s for %s %s", link.link_id, link.amount, link.currency)
    return JsonResponse({"urlPay": request.build_absolute_uri(f"{prefix}/checkout/{link.link_id}")})


@csrf_exempt
def checkout_page(request: HttpRequest, link_id: str) -> HttpResponse:
    """GET shows the card form; POST pays (or cancels) once."""
    link = state.link_get(link_id)
    if link is None:
        return _page("Lien introuvable", "<p>Ce lien de paiement n'existe pas.</p>", status=404)
    if link.reference is not None:
        transaction = state.transaction_get(link.reference)
        return _page("Lien déjà utilisé", f"<p>Paiement {escape(link.reference)} : "
                                          f"{escape(transaction.final_status if transaction else '')}</p>")
    if request.method == "GET":
        return _form(link)
    if request.method != "POST":
        return HttpResponse(status=405)
    if request.POST.get("action") == "cancel":
        outcome = scenarios.CARD_CANCELLED
    else:
        outcome = scenarios.outcome_for_card(request.POST.get("card_number", ""))
        if outcome is None:
            return _form(link, error="Numéro de carte invalide.", status=400)
    return _pay(link, outcome)


def _pay(link: state.Link, outcome: scenarios.Outcome) -> HttpResponse:
    transaction = state.transaction_create(
        delay_seconds=0.0, shop=link.shop, network="card", phone_number=None, amount=link.amount,
        description=link.description, callback_info=link.callback_info, webhook_url=link.webhook_url,
        scenario=outcome.scenario, final_status=outcome.status, reason=outcome.reason, message=outcome.message,
        ref_link=link.link_id)
    if state.link_paid(link.link_id, transaction.reference) is None:
        # Another request paid this link a moment ago; this transaction stays unreferenced and unsent.
        return _page("Lien déjà utilisé", "<p>Ce lien a déjà été utilisé.</p>", status=409)
    log.info("feexpay simulator: card payment %s on link %s: %s", transaction.reference, link.link_id,
             outcome.status)
    after = functools.partial(callbacks.schedule, transaction, 1, 0.0)
    target = link.return_url if outcome.status == scenarios.SUCCESSFUL else (link.error_url or link.return_url)
    if target:
        query = urlencode({"reference": transaction.reference, "status": transaction.final_status})
        response = _RedirectAfterSend(f"{target}{'&' if '?' in target else '?'}{query}")
    else:
        response = wire.AfterSendHttpResponse(_html("Paiement terminé", f"<p>{escape(outcome.message)}</p>"))
    return response.run_after_send(after)


class _RedirectAfterSend(wire.AfterSend, HttpResponseRedirect):
    pass


def _form(link: state.Link, *, error: str = "", status: int = 200) -> HttpResponse:
    notice = f'<p class="error">{escape(error)}</p>' if error else ""
    body = (f"<p>{escape(link.description)}</p><p><strong>{link.amount:,} {escape(link.currency)}</strong></p>"
            f'{notice}<form method="post"><label>Numéro de carte <input name="card_number" '
            'autocomplete="cc-number" inputmode="numeric"></label> '
            '<button name="action" value="pay">Payer</button> '
            '<button name="action" value="cancel">Annuler</button></form>')
    return _page("FeexPay — paiement par carte (simulateur)", body, status=status)


def _page(title: str, body: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(_html(title, body), status=status)


def _html(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")
