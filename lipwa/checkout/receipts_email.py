"""Emailed receipts: queued when a payment with a customer email succeeds, sent once per payment."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction

from lipwa.common import clock
from lipwa.common.money import Money
from lipwa.payments.models import PaymentIntent

from .models import ReceiptEmail
from .receipts import receipt_pdf

log = logging.getLogger("lipwa.checkout")


def on_event(sender, event, **kwargs) -> None:
    """payments.signals.event_recorded: runs inside the payment's transaction; queue only after commit."""
    if event.type != "payment.succeeded" or event.payment_id is None:
        return
    if not str((event.payment.customer or {}).get("email") or "").strip():
        return
    from .tasks import receipt_email_task

    payment_id = event.payment_id
    transaction.on_commit(lambda: receipt_email_task.enqueue(payment_id=payment_id))


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
