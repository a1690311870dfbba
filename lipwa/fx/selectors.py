"""Reading exchange rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from .models import ExchangeRate
from .rates import rate_invert


@dataclass(frozen=True)
class RateQuote:
    """The rate to use from `base` to `quote` at some moment, and where it came from."""

    base: str
    quote: str
    rate: Decimal  # quote units per base unit, in major units
    effective_at: datetime
    inverted: bool  # True when derived as 1/rate from the quote→base row


def rate_get(base: str, quote: str, at: datetime) -> RateQuote | None:
    """The latest rate effective at or before `at`, or None.

    A rate set for the other direction counts too, inverted (28 significant digits): operators usually
    publish one direction only. When both directions have rows, the more recently effective one wins (the
    direct one on a tie), because it is the newer information.
    """
    if base == quote:
        return None
    row = (ExchangeRate.objects.filter(Q(base=base, quote=quote) | Q(base=quote, quote=base), effective_at__lte=at)
           .order_by("-effective_at", "-id").first())
    if row is None:
        return None
    if row.base != base:
        direct = (ExchangeRate.objects.filter(base=base, quote=quote, effective_at=row.effective_at)
                  .order_by("-id").first())
        if direct is not None:
            row = direct
    if row.base == base:
        return RateQuote(base, quote, Decimal(row.rate), row.effective_at, inverted=False)
    return RateQuote(base, quote, rate_invert(Decimal(row.rate)), row.effective_at, inverted=True)


def rates_list(*, base: str | None = None, quote: str | None = None, limit: int = 100) -> list[ExchangeRate]:
    queryset = ExchangeRate.objects.all()
    if base:
        queryset = queryset.filter(base=base)
    if quote:
        queryset = queryset.filter(quote=quote)
    return list(queryset.order_by("base", "quote", "-effective_at")[:limit])
