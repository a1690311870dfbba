"""Test clocks: a merchant's simulated "now" for test-mode payments and schedules attached to it.

Objects are attached through `TestClockObject` (type + id), so the payment and invoicing tables stay as they are.
"""

from __future__ import annotations

from django.db import models

from lipwa.common.ids import new_id
from lipwa.merchants.models import Merchant

CLOCK_STATUSES = ("ready", "advancing")
OBJECT_TYPES = ("payment", "schedule")


def _clock_id() -> str:
    return new_id("clock")


class TestClock(models.Model):
    __test__ = False  # not a pytest test class, whatever its name

    id = models.CharField(primary_key=True, max_length=40, default=_clock_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="test_clocks")
    name = models.CharField(max_length=100, blank=True, default="")
    frozen_time = models.DateTimeField()
    status = models.CharField(max_length=20, choices=[(s, s) for s in CLOCK_STATUSES], default="ready")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "-id"])]


class TestClockObject(models.Model):
    """An object whose time-driven work follows the clock. An object belongs to at most one clock."""

    __test__ = False

    clock = models.ForeignKey(TestClock, on_delete=models.CASCADE, related_name="objects_attached")
    object_type = models.CharField(max_length=20, choices=[(t, t) for t in OBJECT_TYPES])
    object_id = models.CharField(max_length=40)
    attached_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="test_clock_object_once")]
