"""Operational state: worker heartbeats for /readyz."""

from django.db import models


class Heartbeat(models.Model):
    name = models.CharField(primary_key=True, max_length=64)
    seen_at = models.DateTimeField()


class TaskOrigin(models.Model):
    """The request a queued task was enqueued from, so the worker's log lines carry its request id.

    Written in the enqueueing transaction, deleted when the task finishes."""

    task_id = models.UUIDField(primary_key=True)
    request_id = models.CharField(max_length=40)
    merchant_id = models.CharField(max_length=40, blank=True)
