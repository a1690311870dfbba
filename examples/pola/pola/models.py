"""A Purchase is a consultation or a bundle of call minutes, paid by one lipwa payment. The webhook that says the
payment succeeded is what confirms the consultation or credits the minutes, exactly once."""

from django.db import models

from .catalogue import tzs


class Purchase(models.Model):
    CONSULTATION, CREDITS = "consultation", "credits"
    PENDING, PAID, FAILED = "pending", "paid", "failed"

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20)
    item = models.CharField(max_length=20)  # a key of CONSULTATIONS or CALL_CREDITS
    description = models.CharField(max_length=200)
    phone = models.CharField(max_length=20)
    wallet = models.CharField(max_length=20)
    amount = models.PositiveBigIntegerField(help_text="TZS minor units")
    minutes = models.PositiveIntegerField(default=0)  # call credits bought
    payment_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, default=PENDING)
    failure_code = models.CharField(max_length=40, blank=True)
    room_code = models.CharField(max_length=20, blank=True)  # the video room of a confirmed consultation
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def amount_display(self) -> str:
        return tzs(self.amount)


class CallCredit(models.Model):
    """A patient's prepaid call minutes, keyed by phone."""

    phone = models.CharField(max_length=20, unique=True)
    minutes = models.PositiveIntegerField(default=0)


class ProcessedEvent(models.Model):
    """Webhook deliveries are at least once: an event id seen before is acknowledged and ignored."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
