"""Payouts: money sent from the merchant's balance to a mobile wallet through a gateway (disbursement, B2C)."""

from django.db import models
from django.db.models import Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, ConnectorAccount, Merchant

STATUSES = ["pending", "processing", "succeeded", "failed"]


def _payout_id() -> str:
    return new_id("po")


class Payout(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_payout_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    connector_account = models.ForeignKey(ConnectorAccount, on_delete=models.PROTECT, related_name="+")
    connector = models.CharField(max_length=32)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    phone_e164 = models.CharField(max_length=20)
    network = models.CharField(max_length=32, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=300, blank=True)
    merchant_reference = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=[(s, s) for s in STATUSES], default="pending")
    requested_by = models.CharField(max_length=150)
    gateway_reference = models.CharField(max_length=200, blank=True)
    gateway_status = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    connector_state = models.JSONField(default=dict)
    outcome_unknown = models.BooleanField(default=False)
    sync_count = models.PositiveIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_sync_at"]), models.Index(fields=["merchant", "mode", "-id"])]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payout_amount_positive"),
                       models.CheckConstraint(condition=Q(status__in=STATUSES), name="payout_status_known")]
