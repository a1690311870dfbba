"""Every gateway callback, stored raw before anything else looks at it."""

from __future__ import annotations

from django.db import models

from lipwa.common.ids import new_id
from lipwa.merchants.models import ConnectorAccount


def _inbound_id() -> str:
    return new_id("whi")


class InboundStatus(models.TextChoices):
    RECEIVED = "received"  # stored, queued for processing
    PROCESSED = "processed"  # applied to an attempt (or confirmed it was already applied)
    DUPLICATE = "duplicate"  # same event as one already processed
    UNMATCHED = "unmatched"  # valid, but no attempt carries its gateway reference (yet)
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # unsigned, and the status query is not final yet
    REJECTED = "rejected"  # failed verification, bad token or unparseable: kept as evidence


class InboundWebhook(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_inbound_id, editable=False)
    connector = models.CharField(max_length=32)
    connector_account = models.ForeignKey(ConnectorAccount, null=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=500)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    remote_addr = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=24, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    status_reason = models.CharField(max_length=500, blank=True)
    gateway_reference = models.CharField(max_length=200, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=300, blank=True, db_index=True)
    attempt_id = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    process_count = models.PositiveIntegerField(default=0)
    # While `received`: when the sweep queues it again if its job has not run by then (the worker that took the job
    # may have died with it). Processing leaves `received`, which takes the row out of the sweep.
    reprocess_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["connector_account", "status"]),
                   models.Index(fields=["status", "reprocess_at"])]
