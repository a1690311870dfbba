"""Cash on delivery: riders, who is to collect which payment, what they collected and remitted, and the
daily cash-up that compares the two. Amounts are integer minor units with an explicit currency."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, Merchant


def _rider_id() -> str:
    return new_id("rdr")


def _collection_id() -> str:
    return new_id("col")


def _remittance_id() -> str:
    return new_id("rem")


def _cash_up_id() -> str:
    return new_id("cup")


def _discrepancy_id() -> str:
    return new_id("cdi")


class Rider(models.Model):
    """A rider or agent who collects cash for a merchant (in one mode: test riders never touch live money)."""

    id = models.CharField(primary_key=True, max_length=40, default=_rider_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "id"])]


class CashAssignment(models.Model):
    """Which rider is to collect a payment; one per payment (reassigning updates it, and is audited)."""

    payment = models.OneToOneField("payments.PaymentIntent", on_delete=models.PROTECT, related_name="+")
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.CharField(max_length=150)


class CashCollection(models.Model):
    """Cash a rider received for a payment, with proof. One per payment: cash cannot be recorded twice."""

    id = models.CharField(primary_key=True, max_length=40, default=_collection_id, editable=False)
    payment = models.OneToOneField("payments.PaymentIntent", on_delete=models.PROTECT, related_name="+")
    attempt_id = models.CharField(max_length=40)
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="collections")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    receipt_number = models.CharField(max_length=100)
    photo_sha256 = models.CharField(max_length=64, blank=True)  # the bytes live under VAR_DIR/media/cash/
    photo_content_type = models.CharField(max_length=40, blank=True)
    customer_pin_verified = models.BooleanField(default=False)
    collected_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["rider", "collected_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="cash_collection_positive")]


class CashRemittance(models.Model):
    """Cash a rider handed over to the merchant (to the office or a bank deposit)."""

    id = models.CharField(primary_key=True, max_length=40, default=_remittance_id, editable=False)
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="remittances")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=100)  # the deposit slip or office receipt
    remitted_at = models.DateTimeField()
    received_by = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["rider", "remitted_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="cash_remittance_positive"),
            models.UniqueConstraint(fields=["rider", "reference"], name="cash_remittance_reference_unique"),
        ]


class CashUpStatus(models.TextChoices):
    OPEN = "open"
    BALANCED = "balanced"
    DISCREPANCY = "discrepancy"


class CashUp(models.Model):
    """One rider's day in one currency: what they collected against what they remitted."""

    id = models.CharField(primary_key=True, max_length=40, default=_cash_up_id, editable=False)
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="cash_ups")
    day = models.DateField()
    currency = models.CharField(max_length=3)
    collected_minor = models.BigIntegerField()
    remitted_minor = models.BigIntegerField()
    difference_minor = models.BigIntegerField()  # collected − remitted: positive means cash still with the rider
    status = models.CharField(max_length=12, choices=CashUpStatus.choices)
    closed_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rider", "day", "currency"], name="cash_up_unique_per_rider_day"),
            models.CheckConstraint(condition=Q(difference_minor=models.F("collected_minor")
                                               - models.F("remitted_minor")), name="cash_up_difference"),
        ]


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"


class CashDiscrepancy(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_discrepancy_id, editable=False)
    cash_up = models.OneToOneField(CashUp, on_delete=models.PROTECT, related_name="discrepancy")
    amount_minor = models.BigIntegerField()  # signed, as the cash-up's difference
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
