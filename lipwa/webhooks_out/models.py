"""Merchant webhook endpoints, one delivery per (endpoint, event), and the log of every attempt."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from lipwa.common import crypto
from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, Merchant
from lipwa.payments.models import PaymentEvent


def _endpoint_id() -> str:
    return new_id("we")


def _delivery_id() -> str:
    return new_id("whd")


class EndpointStatus(models.TextChoices):
    ENABLED = "enabled"
    DISABLED = "disabled"  # by lipwa after days of failures; the merchant re-enables it


class WebhookEndpoint(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_endpoint_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    # Exact event types, or ["*"] for every type (including types added later).
    enabled_events = models.JSONField(default=list)
    # AES-GCM of {"secrets": [{"secret": "whsec_…", "expires_at": unix | null}, …]}, newest first; bound to
    # this row's id. More than one entry only while a rotated secret is in its overlap window.
    secrets_encrypted = models.TextField()
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EndpointStatus.choices, default=EndpointStatus.ENABLED)
    disabled_reason = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Start of the current run of failed attempts (None after any success): the auto-disable clock.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    # Deletion is soft so that the attempt log of a deleted endpoint stays inspectable.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "deleted_at"])]

    def set_secrets(self, entries: list[dict]) -> None:
        self.secrets_encrypted = crypto.encrypt_json({"secrets": entries}, settings.LIPWA_ENCRYPTION_KEYS,
                                                     associated_data=self.id.encode())

    def get_secrets(self) -> list[dict]:
        if not self.secrets_encrypted:
            return []
        return crypto.decrypt_json(self.secrets_encrypted, settings.LIPWA_ENCRYPTION_KEYS,
                                   associated_data=self.id.encode())["secrets"]

    def active_secrets(self, now: datetime) -> list[str]:
        """Secrets that sign deliveries at `now`: the current one and any still in its overlap window."""
        moment = now.timestamp()
        return [e["secret"] for e in self.get_secrets() if e["expires_at"] is None or e["expires_at"] > moment]

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.mode} {self.status} secret=<masked>>"

    def __str__(self) -> str:
        return f"{self.url} ({self.id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # queued, or waiting for its next retry
    SUCCEEDED = "succeeded"  # the endpoint answered 2xx
    FAILED = "failed"  # retries exhausted, or not sent because the endpoint was disabled or deleted


class WebhookDelivery(models.Model):
    """The sending of one event to one endpoint; a replay restarts it rather than adding a second row, so
    "failed deliveries" always means events the endpoint has not yet acknowledged."""

    id = models.CharField(primary_key=True, max_length=40, default=_delivery_id, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey(PaymentEvent, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts_count = models.PositiveIntegerField(default=0)
    # Consecutive failures since the retry window opened; picks the next backoff step.
    failed_attempts = models.PositiveIntegerField(default=0)
    # Opens the 3-day retry window: the event's time, or the time of the last manual replay.
    retry_started_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Names the one queued task allowed to send the next attempt; a stale or duplicate task does nothing.
    claim_token = models.CharField(max_length=32, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_unique")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "status", "created_at"]),
            # A send task finds its batch by claim token; only claimed deliveries carry one.
            models.Index(fields=["claim_token"], condition=~Q(claim_token=""), name="webhook_delivery_claimed"),
        ]


class WebhookAttempt(models.Model):
    """One HTTP request to an endpoint, as it went: never updated."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="attempts")
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set when no HTTP answer came: "timeout", "connection refused", …
    error = models.CharField(max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField()
    response_excerpt = models.CharField(max_length=1024, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "-id"])]
        constraints = [models.CheckConstraint(condition=Q(status_code__isnull=False) | ~Q(error=""),
                                              name="webhook_attempt_has_outcome")]
