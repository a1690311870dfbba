"""lipwa's signed webhooks: the only thing that marks an order paid or failed.

Deliveries can repeat and arrive in any order: an event id is processed once, and an order leaves `pending` at
most once (a conditional UPDATE), so a late `payment.processing` or a replay never changes a settled order."""

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
    pending = Order.objects.filter(reference=(payment.get("metadata") or {}).get("order"), status=Order.PENDING)
    if payment["status"] == "succeeded":
        pending.update(status=Order.PAID, paid_at=timezone.now(), payment_id=payment["id"], failure_code="")
    elif payment["status"] in FAILED_STATUSES:
        pending.filter(payment_id__in=[payment["id"], ""]).update(
            status=Order.FAILED, failure_code=payment.get("failure_code") or payment["status"])
