"""A policy's premium is a lipwa payment schedule: one lipwa invoice per instalment. Every attempt to pay one is
kept as a PremiumPayment, whose status only lipwa's signed webhooks change."""

from django.db import models

FINAL_STATUSES = {"succeeded", "failed", "cancelled", "expired"}


def kes(amount_minor: int) -> str:
    """KES has two minor-unit digits; integer arithmetic only, never floats, for money."""
    return f"KES {amount_minor // 100:,}.{amount_minor % 100:02d}"


class Policy(models.Model):
    number = models.CharField(max_length=20, unique=True)
    holder_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20)
    email = models.EmailField()
    cover = models.CharField(max_length=100)
    annual_premium = models.PositiveBigIntegerField(help_text="KES minor units (cents)")
    schedule_id = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number

    @property
    def annual_premium_display(self) -> str:
        return kes(self.annual_premium)


class Premium(models.Model):
    """One instalment of the policy's schedule, i.e. one lipwa invoice."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="premiums")
    instalment = models.PositiveSmallIntegerField()
    invoice_id = models.CharField(max_length=40, unique=True)
    invoice_number = models.CharField(max_length=40)
    amount = models.PositiveBigIntegerField()
    due_date = models.DateField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["policy", "instalment"]
        constraints = [models.UniqueConstraint(fields=["policy", "instalment"], name="one_premium_per_instalment")]

    @property
    def amount_display(self) -> str:
        return kes(self.amount)


class PremiumPayment(models.Model):
    lipwa_id = models.CharField(max_length=40, unique=True)  # pay_…
    premium = models.ForeignKey(Premium, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=20)  # mobile_money | card
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20)
    failure_code = models.CharField(max_length=40, blank=True)
    receipt_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def amount_display(self) -> str:
        return kes(self.amount)


class ProcessedEvent(models.Model):
    """Webhook deliveries are at least once: an event id seen before is acknowledged and ignored."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
