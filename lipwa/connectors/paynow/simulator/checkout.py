"""The simulated Paynow payment page a web-checkout customer is sent to (`browserurl`, PROVIDERS.md 7.1, 7.3).

Paynow's real page lets the customer pick a method and pay; here the customer picks the outcome. `GET` shows
the page, `POST action=paid|cancelled|failed` decides the transaction, sends the status update to `resulturl`
once the answer is written, and redirects the browser to `returnurl`, as Paynow does when payment is done.
"""

from __future__ import annotations

import functools
import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock

from . import callbacks, scenarios, state, views

log = logging.getLogger("lipwa.simulators.paynow")

ACTIONS = {"paid": scenarios.PAID, "cancelled": scenarios.CANCELLED, "failed": scenarios.FAILED}

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Paynow simulator: payment {paynow_reference}</title></head>
<body>
<h1>Paynow (simulator)</h1>
<p>Payment <strong>{paynow_reference}</strong> for reference <strong>{reference}</strong>:
amount <strong>{amount}</strong>. Status: <strong>{status}</strong>.</p>
<form method="post">
<button name="action" value="paid">Pay</button>
<button name="action" value="failed">Fail (declined)</button>
<button name="action" value="cancelled">Cancel</button>
</form>
</body></html>
"""


@csrf_exempt
def confirm_payment(request: HttpRequest, number: str) -> HttpResponse:
    transaction = state.transaction_by_number(int(number))
    if transaction is None or transaction.method:
        return views.not_found(request)
    if request.method == "POST":
        return _decide(transaction, request.POST.get("action", ""))
    return HttpResponse(_PAGE.format(paynow_reference=escape(transaction.paynow_reference),
                                     reference=escape(transaction.reference), amount=escape(transaction.amount),
                                     status=escape(transaction.status_at(clock.now()))), content_type="text/html")


def _decide(transaction: state.Transaction, action: str) -> HttpResponse:
    final_status = ACTIONS.get(action)
    if final_status is None:
        return HttpResponse(f"unknown action {escape(action)!s}; use paid, cancelled or failed", status=400,
                            content_type="text/plain")
    decided = state.transaction_decide(transaction.guid, final_status)
    response = HttpResponseRedirect(transaction.return_url)
    if decided is not None:
        log.info("paynow simulator: web checkout %s is %s", decided.paynow_reference, final_status)
        # The status update follows the redirect, never overtaking it (see wire.AfterSendResponse).
        _after_close(response, functools.partial(callbacks.schedule, decided, decided.callbacks, 0.0))
    return response


def _after_close(response: HttpResponse, hook) -> None:
    original = response.close

    def close() -> None:
        try:
            original()
        finally:
            hook()

    response.close = close
