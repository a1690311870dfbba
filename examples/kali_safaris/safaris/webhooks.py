"""lipwa's signed webhooks: the only thing that marks a charge (and so a booking) paid.

Deliveries can repeat and arrive in any order: an event id is processed once, and a charge leaves `pending` at
most once (a conditional UPDATE) in the same transaction as the booking's `amount_paid`, so no payment is
counted twice and a late event never undoes one."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lipwa_sdk import SignatureVerificationError, webhooks

from .models import Booking, Charge, ProcessedEvent

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
    metadata = payment.get("metadata") or {}
    # Paid in the WhatsApp Flow or on lipwa's page: lipwa names the checkout session; paid on our own web page
    # (InnBucks): we named it.
    session_id = metadata.get("checkout_session") or metadata.get("kali_charge")
    pending = Charge.objects.filter(checkout_session_id=session_id, status=Charge.PENDING)
    charge = pending.select_related("booking").first()
    if charge is None:
        return
    if payment["status"] in FAILED_STATUSES:
        pending.update(last_failure=payment.get("failure_code") or payment["status"])
    elif payment["status"] == "succeeded" and pending.update(status=Charge.PAID, payment_id=payment["id"],
                                                            paid_at=timezone.now(), last_failure=""):
        Booking.objects.filter(id=charge.booking_id).update(amount_paid=F("amount_paid") + charge.amount)
        booking = Booking.objects.get(id=charge.booking_id)
        booking.status = Booking.PAID if booking.amount_paid >= booking.total else Booking.DEPOSIT_PAID
        booking.save(update_fields=["status"])
