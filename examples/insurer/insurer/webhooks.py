"""lipwa's signed webhooks: the only thing that marks a premium paid.

Deliveries can repeat and arrive in any order, so: an event id is processed once, a payment that reached a
final status never changes again, and an instalment once paid stays paid."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lipwa_sdk import SignatureVerificationError, webhooks

from .models import FINAL_STATUSES, Premium, PremiumPayment, ProcessedEvent


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
    premium = Premium.objects.filter(invoice_id=(payment.get("metadata") or {}).get("invoice")).first()
    if premium is None:
        return  # not a premium (another system may share this lipwa account)
    # The webhook may beat the response to our own create call: create the row here if needed.
    record, _ = PremiumPayment.objects.get_or_create(
        lipwa_id=payment["id"], defaults={"premium": premium, "method": payment["method"],
                                          "amount": payment["amount"], "status": payment["status"]})
    if record.status in FINAL_STATUSES and record.status != payment["status"]:
        return  # a late, older event (e.g. payment.processing after payment.succeeded)
    record.status = payment["status"]
    record.failure_code = payment.get("failure_code") or ""
    record.receipt_number = payment.get("receipt_number") or ""
    record.save()
    if payment["status"] == "succeeded" and premium.paid_at is None:
        premium.paid_at = timezone.now()
        premium.save(update_fields=["paid_at"])
