"""Pure parsing and arithmetic of exchange rates: Decimal only, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from lipwa.common.money import CURRENCY_EXPONENTS

RATE_DECIMAL_PLACES_MAX = 12
RATE_INTEGER_DIGITS_MAX = 18
# Enough digits that no product of an amount (≤ 10^13 minor units) and a rate is ever rounded before the
# one deliberate rounding to minor units.
_PRECISION = 80


class RateError(ValueError):
    pass


def currency_check(code: object, what: str) -> str:
    if not isinstance(code, str) or code not in CURRENCY_EXPONENTS:
        raise RateError(f"{what} currency {code!r} is not one lipwa supports (ISO 4217, e.g. KES)")
    return code


def rate_parse(value: object) -> Decimal:
    """A rate from text or a Decimal: positive, finite, at most 12 decimal places. Floats are refused,
    because a float has already lost the exact rate."""
    if isinstance(value, float) or isinstance(value, bool):
        raise RateError("rate must be given as text or a Decimal, not a float")
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise RateError(f"rate {value!r} is not a number") from None
    if not rate.is_finite():
        raise RateError(f"rate {value!r} is not a finite number")
    if rate <= 0:
        raise RateError(f"rate must be greater than zero, got {value}")
    # Trailing zeros ("0.00770000000000000") are harmless, so the limits apply to the normalised value.
    with localcontext() as context:
        context.prec = _PRECISION  # normalising must never round a long rate
        canonical = rate.normalize()
    places = max(0, -canonical.as_tuple().exponent)
    if places > RATE_DECIMAL_PLACES_MAX:
        raise RateError(f"rate {value} has more than {RATE_DECIMAL_PLACES_MAX} decimal places")
    if canonical.adjusted() + 1 > RATE_INTEGER_DIGITS_MAX:
        raise RateError(f"rate {value} is implausibly large")
    return canonical


def rate_text(rate: Decimal) -> str:
    """The canonical string stored and shown: plain notation, no exponent, no trailing zeros."""
    with localcontext() as context:
        context.prec = _PRECISION
        return format(rate.normalize(), "f")


def rate_invert(rate: Decimal) -> Decimal:
    """1/rate to 28 significant digits (an inverse is rarely exact, e.g. 1/3)."""
    with localcontext() as context:
        context.prec = 28
        return (Decimal(1) / rate).normalize()


def convert_minor(amount_minor: int, from_currency: str, to_currency: str, rate: Decimal) -> int:
    """`amount_minor` of `from_currency` in minor units of `to_currency` at `rate` (quote per base, in major
    units), rounded half-even once, at the end."""
    shift = CURRENCY_EXPONENTS[to_currency] - CURRENCY_EXPONENTS[from_currency]
    with localcontext() as context:
        context.prec = _PRECISION
        exact = Decimal(amount_minor) * rate * Decimal(10) ** shift
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
