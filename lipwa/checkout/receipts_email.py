"""Emailed receipts: queued when a payment with a customer email succeeds, sent once per payment."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction

from lipwa.common import clock
from lipwa.common.money import Money
from lipwa.payments.models import PaymentIntent

from .models import ReceiptEmail
from .receipts import receipt_pdf

log = logging.getLogger("lipwa.checkout")


# A receipt whose job died with its worker (or never ran) is sent by the sweep once it is this late, for as long
# as a receipt is still worth sending.
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_WITHIN = timedelta(days=2)
SWEEP_BATCH = 200


def on_event(sender, event, **kwargs) -> None:
    """payments.signals.event_recorded: runs inside the payment's transaction, and so does the enqueue (the
    task queue is a table): the job exists exactly when the success does."""
    if event.type != "payment.succeeded" or event.payment_id is None:
        return
    if not str((event.payment.customer or {}).get("email") or "").strip():
        return
    from .tasks import receipt_email_task

    receipt_email_task.enqueue(payment_id=event.payment_id)


def receipt_emails_send_due() -> int:
    """Send receipts still unsent well after their payment succeeded (a job killed mid-run stays `RUNNING`
    in the queue and is never retried by it). Sending is idempotent per payment, so a race with the original
    job sends one email."""
    now = clock.now()
    due = (PaymentIntent.objects.filter(status="succeeded", succeeded_at__lte=now - SWEEP_AFTER,
                                        succeeded_at__gte=now - SWEEP_WITHIN, customer__has_key="email")
           .exclude(customer__email="").exclude(id__in=ReceiptEmail.objects.values("payment_id"))
           .order_by("succeeded_at").values_list("id", flat=True)[:SWEEP_BATCH])
    sent = 0
    for payment_id in due:
        try:
            sent += receipt_email_send(payment_id=payment_id)
        except Exception:  # noqa: BLE001 - one bad mailbox must not stop the others; retried next sweep
            log.exception("receipt for %s could not be emailed; retried later", payment_id)
    return sent


def receipt_email_send(*, payment_id: str) -> bool:
    """Email the receipt unless it went already; the row and the send share one transaction, so a failed
    send leaves no row and a retry sends it."""
    with transaction.atomic():
        payment = PaymentIntent.objects.select_for_update().select_related("merchant").get(id=payment_id)
        email = str((payment.customer or {}).get("email") or "").strip()
        if payment.status != "succeeded" or not email or ReceiptEmail.objects.filter(payment=payment).exists():
            return False
        ReceiptEmail.objects.create(payment=payment, sent_to=email, sent_at=clock.now())
        message = EmailMessage(
            subject=f"Receipt from {payment.merchant.name}: {Money(payment.amount_minor, payment.currency)}",
            body=(f"Thank you for your payment of {Money(payment.amount_minor, payment.currency)} to "
                  f"{payment.merchant.name}.\nReceipt number: {payment.receipt_number or payment.id}\n"),
            to=[email])
        message.attach(f"receipt-{payment.id}.pdf", receipt_pdf(payment), "application/pdf")
        message.send()
    log.info("receipt for %s emailed", payment.id)
    return True
