"""Rate-limit counters in the database, for installations without Redis (lipwa.security.ratelimit)."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """Requests counted for one limit (scope, identity hash, window length) in one fixed window.

    The primary key is the pair that the counting UPSERT conflicts on, so a request is one statement and the
    table carries no other index. Rows of ended windows are deleted now and then by the limiter itself.
    """

    pk = models.CompositePrimaryKey("bucket", "window_end")
    bucket = models.CharField(max_length=80)
    # The window's end in seconds since the epoch (lipwa's clock): what Retry-After counts down to.
    window_end = models.BigIntegerField()
    hits = models.IntegerField()

    class Meta:
        db_table = "lipwa_ratelimit_counter"
