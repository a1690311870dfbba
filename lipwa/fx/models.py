"""Exchange rates, for showing what a payment is worth in the merchant's settlement currency.

A rate is never used to change an amount that is charged, held or posted: the ledger keeps each currency
apart. The rate is kept as an exact decimal string, because SQLite stores DecimalField values as floats.
"""

from django.db import models
from django.db.models import F, Q

SOURCES = [("manual", "manual"), ("import", "import")]


class ExchangeRate(models.Model):
    """1 unit of `base` (major units) is worth `rate` units of `quote`, from `effective_at` on."""

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.CharField(max_length=40)  # a canonical positive decimal, e.g. "0.0077"
    source = models.CharField(max_length=10, choices=SOURCES)
    effective_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["base", "quote", "-effective_at"])]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "effective_at"], name="fx_rate_unique_instant"),
            models.CheckConstraint(condition=~Q(base=F("quote")), name="fx_rate_distinct_currencies"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} from {self.effective_at.isoformat()}"
