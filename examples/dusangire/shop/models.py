"""An order is a lipwa invoice; paying it is a lipwa payment for that invoice. Only lipwa's signed webhooks mark
an order paid (or its payment failed)."""

from django.db import models

from .catalogue import money


class Order(models.Model):
    AWAITING, PAID, FAILED = "awaiting_payment", "paid", "payment_failed"

    reference = models.CharField(max_length=20, unique=True)
    customer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300)
    lines = models.JSONField()  # [{sku, name, quantity, unit_amount}]
    currency = models.CharField(max_length=3)
    total = models.PositiveBigIntegerField(help_text="minor units of currency")
    method = models.CharField(max_length=20)
    invoice_id = models.CharField(max_length=40, unique=True)
    invoice_number = models.CharField(max_length=40)
    payment_id = models.CharField(max_length=40, blank=True)  # the latest attempt to pay
    instructions = models.JSONField(null=True, blank=True)  # bank details to show for a bank transfer
    status = models.CharField(max_length=20, default=AWAITING)
    failure_code = models.CharField(max_length=40, blank=True)
    receipt_number = models.CharField(max_length=64, blank=True)
    rider_id = models.CharField(max_length=40, blank=True)  # cash on delivery
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def lines_display(self) -> list[dict]:
        return [{**line, "unit": money(line["unit_amount"], self.currency),
                 "amount": money(line["unit_amount"] * line["quantity"], self.currency)} for line in self.lines]

    @property
    def total_display(self) -> str:
        return money(self.total, self.currency)


class ProcessedEvent(models.Model):
    """Webhook deliveries are at least once: an event id seen before is acknowledged and ignored."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
