"""lipwa's signed webhooks: the only thing that confirms a consultation or credits call minutes.

Deliveries can repeat and arrive in any order. An event id is processed once, and a purchase moves out of
`pending` at most once, in the same transaction as the minutes it credits, so minutes are never credited twice
and a late event never undoes a payment."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lipwa_sdk import SignatureVerificationError, webhooks

from .models import CallCredit, ProcessedEvent, Purchase

FAILED_STATUSES = {"failed", "cancelled", "expired"}


@csrf_exempt
@require_POST
def lipwa_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = webhooks.construct_event(request.body, request.headers.get("Lipwa-Signature"),
                                         secret=settings.LIPWA_WEBHOOK_SECRET,
                                         tolerance=settings.LIPWA_WEBHOOK_TOLERANCE_SECONDS)
    except SignatureVerificationError as error:
        return HttpResponseBadRequest(error.code)
    try:
        with transaction.atomic():
            ProcessedEvent.objects.create(event_id=event["id"], type=event["type"])
            if event["type"].startswith("payment."):
                payment_apply(event["data"]["object"])
    except IntegrityError:
        return HttpResponse("already processed")
    return HttpResponse("ok")


def payment_apply(payment: dict) -> None:
    reference = (payment.get("metadata") or {}).get("purchase")
    # The status filter in the UPDATE makes "leave pending" happen once even if two deliveries race.
    pending = Purchase.objects.filter(reference=reference, status=Purchase.PENDING)
    if payment["status"] == "succeeded":
        purchase = pending.first()
        if purchase is None or not pending.update(status=Purchase.PAID, paid_at=timezone.now(),
                                                   payment_id=payment["id"], room_code=_room(purchase)):
            return
        if purchase.kind == Purchase.CREDITS:
            CallCredit.objects.get_or_create(phone=purchase.phone)
            CallCredit.objects.filter(phone=purchase.phone).update(minutes=F("minutes") + purchase.minutes)
    elif payment["status"] in FAILED_STATUSES:
        pending.filter(payment_id__in=[payment["id"], ""]).update(
            status=Purchase.FAILED, failure_code=payment.get("failure_code") or payment["status"])


def _room(purchase: Purchase) -> str:
    return f"POLA-{secrets.token_hex(3).upper()}" if purchase.kind == Purchase.CONSULTATION else ""
