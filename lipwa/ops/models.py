"""Operational state: worker heartbeats for /readyz."""

from django.db import models


class Heartbeat(models.Model):
    name = models.CharField(primary_key=True, max_length=64)
    seen_at = models.DateTimeField()
