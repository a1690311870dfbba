"""What a payment is worth in its merchant's settlement currency: shown next to it, never charged.

The charged amount and currency are never touched; a missing rate or an unknown settlement currency only
means there is no conversion to show (None), never an error on the payment.
"""

from __future__ import annotations

from datetime import datetime

from lipwa.common.money import CURRENCY_EXPONENTS

from .rates import convert_minor, rate_text
from .selectors import rate_get


def conversion_for(*, amount_minor: int, currency: str, settlement_currency: str, at: datetime) -> dict | None:
    """{"currency", "amount" (minor units, half-even), "rate" (decimal string), "rate_at" (unix)} or None."""
    if not settlement_currency or settlement_currency == currency:
        return None
    if settlement_currency not in CURRENCY_EXPONENTS or currency not in CURRENCY_EXPONENTS:
        return None
    quote = rate_get(currency, settlement_currency, at)
    if quote is None:
        return None
    return {"currency": settlement_currency,
            "amount": convert_minor(amount_minor, currency, settlement_currency, quote.rate),
            "rate": rate_text(quote.rate), "rate_at": int(quote.effective_at.timestamp())}
