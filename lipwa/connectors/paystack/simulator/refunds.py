"""The simulator's refund endpoints (PROVIDERS.md 6.6): create, fetch one, list a transaction's refunds.

A refund is `pending` until `LIPWA_SIMULATOR_DELAY_SECONDS` have passed by the clock, then `processed` (or
`failed`, when the refund amount in subunits ends in 009, P); the `refund.processed` / `refund.failed` webhook
follows after the same delay in real time. A refund amount ending in 006 answers 503 and stores nothing.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock

from . import callbacks, present, scenarios, state, wire
from .views import DEFAULT_DELAY_SECONDS, UNAVAILABLE

log = logging.getLogger("lipwa.simulators.paystack")


@csrf_exempt
def refunds(request: HttpRequest) -> JsonResponse:
    """`POST /refund` creates; `GET /refund?reference=…` lists one transaction's refunds."""
    refusal = wire.refuse_unauthorised(request, "POST", "GET")
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return _list(request)
    try:
        body = wire.json_body(request)
        transaction = _refundable_transaction(body)
        amount = wire.amount(body, required=False)
        currency = body.get("currency")
        if currency is not None and str(currency).strip().upper() != transaction.currency:
            raise wire.Invalid("Currency does not match the transaction's currency")  # (A)
    except wire.Invalid as invalid:
        return wire.refusal(400, invalid.message)
    final_status = scenarios.refund_outcome(amount if amount is not None else transaction.amount)
    if final_status is None:
        return wire.refusal(503, UNAVAILABLE)
    delay = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    try:
        refund = state.refund_create(
            transaction=transaction, amount=amount, final_at=clock.now() + timedelta(seconds=delay),
            final_status=final_status, merchant_note=str(body.get("merchant_note") or "")[:500],
            customer_note=str(body.get("customer_note") or "")[:500])
    except state.RefundTooLarge as too_large:
        if too_large.refundable <= 0:
            return wire.refusal(400, "Transaction has been fully reversed")  # (A)
        return wire.refusal(400, f"Refund amount cannot be more than the unrefunded balance of "
                                 f"{too_large.refundable}")  # (A)
    log.info("paystack simulator: refund %s of %s for %s (%s)", refund.id, refund.amount,
             refund.transaction_reference, final_status)
    send = functools.partial(callbacks.deliver, f"refund.{final_status}", refund.transaction_reference,
                             transaction.webhook_url, callbacks.refund_body(refund))
    after = functools.partial(callbacks.schedule, f"refund-{refund.id}", send, delay)
    return wire.ok("Refund has been queued for processing", present.refund_json(refund, clock.now(), as_created=True),
                   after=after)


@csrf_exempt
def refund_detail(request: HttpRequest, refund_id: str) -> JsonResponse:
    """`GET /refund/{id}`."""
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    refund = state.refund_get(refund_id)
    if refund is None:
        return wire.refusal(404, "Refund not found")  # (A)
    return wire.ok("Refund retrieved", present.refund_json(refund, clock.now()))


def _list(request: HttpRequest) -> JsonResponse:
    reference = request.GET.get("reference", "")
    now = clock.now()
    found = [present.refund_json(refund, now) for refund in state.refunds_for(reference)] if reference else []
    meta = {"total": len(found), "skipped": 0, "perPage": 50, "page": 1, "pageCount": 1}
    return wire.ok("Refunds retrieved", found, meta=meta)


def _refundable_transaction(body: dict) -> state.SimTransaction:
    key = body.get("transaction")
    if isinstance(key, bool) or not isinstance(key, str | int) or not str(key).strip():
        raise wire.Invalid("Transaction reference or id is required")  # (A)
    transaction = state.transaction_find(str(key).strip())
    if transaction is None:
        raise wire.Invalid("Transaction not found")  # (A)
    if not present.is_final(transaction, clock.now()) or transaction.final_status != "success":
        raise wire.Invalid("Cannot refund a transaction that was not successful")  # (A)
    return transaction
