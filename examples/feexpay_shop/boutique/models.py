"""An order is paid by one lipwa payment through FeexPay; lipwa's signed webhooks mark it paid or failed."""

from django.db import models

from .catalogue import xof


class Order(models.Model):
    PENDING, PAID, FAILED = "pending", "paid", "failed"

    reference = models.CharField(max_length=20, unique=True)
    customer_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2)
    way_to_pay = models.CharField(max_length=40)  # a FeexPay catalogue id from lipwa, e.g. "wave_ci", "card_xof"
    way_to_pay_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, blank=True)
    lines = models.JSONField()  # [{sku, name, quantity, unit_amount}]
    total = models.PositiveBigIntegerField(help_text="XOF")
    payment_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, default=PENDING)
    failure_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def total_display(self) -> str:
        return xof(self.total)


class ProcessedEvent(models.Model):
    """Webhook deliveries are at least once: an event id seen before is acknowledged and ignored."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
