"""Payments, their attempts at a gateway, their append-only events, and idempotency records."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, ConnectorAccount, Merchant

from .states import AttemptStatus, PaymentStatus, RefundStatus

METHODS = [(m, m) for m in ("mobile_money", "card", "bank_transfer", "cash")]


def _payment_id() -> str:
    return new_id("pay")


def _attempt_id() -> str:
    return new_id("att")


def _refund_id() -> str:
    return new_id("rfd")


def _event_id() -> str:
    return new_id("evt")


class PaymentIntent(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_payment_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payments")
    mode = models.CharField(max_length=4, choices=MODES)
    amount_minor = models.BigIntegerField()
    amount_refunded_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, choices=METHODS)
    provider = models.CharField(max_length=32)
    connector_account = models.ForeignKey(ConnectorAccount, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in PaymentStatus],
                              default=PaymentStatus.PENDING)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    network = models.CharField(max_length=32, blank=True)
    # Networks the payer's number may belong to, most likely first (prefix tables, overrides, history).
    network_candidates = models.JSONField(default=list, blank=True)
    fee_minor = models.BigIntegerField(default=0)
    customer = models.JSONField(default=dict)
    merchant_reference = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict)
    return_url = models.CharField(max_length=2000, blank=True)
    gateway_reference = models.CharField(max_length=200, blank=True)
    receipt_number = models.CharField(max_length=100, blank=True)
    next_action = models.JSONField(null=True, blank=True)
    # A payment charged without the customer, on the saved instrument (card authorization) of this earlier one.
    reuses_payment_id = models.CharField(max_length=40, blank=True)
    # Set when the gateway reports something lipwa could not apply (a late success after expiry, an
    # amount mismatch): money may have moved and a person must look.
    needs_review = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payments_payment"
        indexes = [
            models.Index(fields=["merchant", "mode", "-id"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded_minor__gte=0) & Q(amount_refunded_minor__lte=models.F("amount_minor")),
                name="payment_refunded_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in PaymentStatus]),
                                   name="payment_status_known"),
        ]


class PaymentAttempt(models.Model):
    """One try at charging a payment through one connector account."""

    id = models.CharField(primary_key=True, max_length=40, default=_attempt_id, editable=False)
    payment = models.ForeignKey(PaymentIntent, on_delete=models.PROTECT, related_name="attempts")
    connector_account = models.ForeignKey(ConnectorAccount, on_delete=models.PROTECT, related_name="+")
    connector = models.CharField(max_length=32)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in AttemptStatus],
                              default=AttemptStatus.PENDING)
    gateway_reference = models.CharField(max_length=200, null=True, blank=True)
    gateway_status = models.CharField(max_length=100, blank=True)
    gateway_message = models.CharField(max_length=500, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    receipt_number = models.CharField(max_length=100, blank=True)
    connector_state = models.JSONField(default=dict)
    # True while lipwa does not know whether the gateway acted (timeout, ambiguous answer).
    outcome_unknown = models.BooleanField(default=False)
    sync_count = models.PositiveIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "next_sync_at"])]
        constraints = [
            models.UniqueConstraint(fields=["connector_account", "gateway_reference"],
                                    condition=Q(gateway_reference__isnull=False),
                                    name="attempt_gateway_reference_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="attempt_amount_positive"),
        ]


class Refund(models.Model):
    """Money going back to the customer for (part of) a successful payment."""

    id = models.CharField(primary_key=True, max_length=40, default=_refund_id, editable=False)
    payment = models.ForeignKey(PaymentIntent, on_delete=models.PROTECT, related_name="refunds")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in RefundStatus])
    method = models.CharField(max_length=10, default="gateway")  # "gateway", or "manual" with evidence
    reason = models.CharField(max_length=500, blank=True)
    requested_by = models.CharField(max_length=150)
    decided_by = models.CharField(max_length=150, blank=True)  # who approved or rejected
    gateway_reference = models.CharField(max_length=200, blank=True)
    gateway_status = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    connector_state = models.JSONField(default=dict)
    outcome_unknown = models.BooleanField(default=False)
    sync_count = models.PositiveIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_sync_at"]), models.Index(fields=["merchant", "mode", "-id"])]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_positive")]


class PhoneNetwork(models.Model):
    """The network a merchant's customer's number is on: set by the merchant (numbers are portable) or
    learned from the last successful payment."""

    SOURCES = [("override", "override"), ("last_success", "last_success")]
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    phone_e164 = models.CharField(max_length=20)
    network = models.CharField(max_length=32)
    source = models.CharField(max_length=20, choices=SOURCES)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "phone_e164"], name="phone_network_unique")]


class AppendOnlyError(Exception):
    pass


class PaymentEvent(models.Model):
    """An immutable record of one state change; never updated, never deleted."""

    id = models.CharField(primary_key=True, max_length=40, default=_event_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES, default="test")
    # Null for events about objects that belong to no payment (payouts).
    payment = models.ForeignKey(PaymentIntent, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="events")
    attempt_id = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "-id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("payment events are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("payment events are append-only")


class IdempotencyRecord(models.Model):
    """Stripe-style Idempotency-Key: the first response to a key is replayed for 24 hours."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    key = models.CharField(max_length=255)
    request_method = models.CharField(max_length=10)
    request_path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    in_flight = models.BooleanField(default=True)
    # What the request created (a payment id), written in the creating transaction: a retry after the request's
    # process died returns it instead of creating it again.
    resource_id = models.CharField(max_length=40, blank=True, default="")
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "mode", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["expires_at"])]
