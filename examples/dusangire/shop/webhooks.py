"""lipwa's signed webhooks: the only thing that marks an order paid.

Deliveries can repeat and arrive in any order, so: an event id is processed once, a paid order stays paid
(a late `payment.processing` changes nothing), and only the order's latest attempt can mark it failed."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lipwa_sdk import SignatureVerificationError, webhooks

from .models import Order, ProcessedEvent

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
    order = Order.objects.filter(invoice_id=(payment.get("metadata") or {}).get("invoice")).first()
    if order is None or order.status == Order.PAID:
        return  # not one of our orders, or already paid: nothing can undo a payment that succeeded
    if payment["status"] == "succeeded":
        # Any payment for the order's invoice counts, even an older attempt: the money has moved.
        order.status, order.paid_at = Order.PAID, timezone.now()
        order.receipt_number = payment.get("receipt_number") or ""
        order.failure_code = ""
    elif payment["status"] in FAILED_STATUSES and payment["id"] == (order.payment_id or payment["id"]):
        # (No payment id yet: the failure beat the answer to our own create call, so it is the latest attempt.)
        order.status, order.failure_code = Order.FAILED, payment.get("failure_code") or payment["status"]
    else:
        return
    order.save()
