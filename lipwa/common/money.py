"""Money as an integer count of minor units plus an ISO 4217 currency; there are no floats anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit digits for the currencies lipwa's gateways settle in (plus the card currencies).
CURRENCY_EXPONENTS: dict[str, int] = {
    "KES": 2, "UGX": 0, "TZS": 2, "RWF": 0, "BIF": 0, "CDF": 2, "ZMW": 2, "MWK": 2, "MZN": 2,
    "ETB": 2, "SOS": 2, "SSP": 2, "GHS": 2, "NGN": 2, "XOF": 0, "XAF": 0, "GNF": 0, "SLE": 2,
    "LRD": 2, "GMD": 2, "ZAR": 2, "BWP": 2, "NAD": 2, "ZWG": 2, "ZWL": 2, "MGA": 2, "SCR": 2,
    "MUR": 2, "EGP": 2, "MAD": 2, "TND": 3, "USD": 2, "EUR": 2, "GBP": 2, "AED": 2, "CNY": 2,
}


# A parsed major-unit amount may have at most this many digits before the point. No real amount comes close;
# the bound stops a hostile "1e999999999" from a callback making us build a gigantic integer.
MAJOR_DIGITS_MAX = 60


class CurrencyError(ValueError):
    pass


def currency_exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise CurrencyError(f"unsupported currency {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise TypeError(f"amount_minor must be an int, got {type(self.amount_minor).__name__}")
        currency_exponent(self.currency)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_major(self) -> Decimal:
        """The amount in major units, exact (for gateways that take decimals on the wire)."""
        # Decimal.scaleb rounds to the context precision (28 digits); moving the exponent in the tuple is exact.
        sign, digits, _ = Decimal(self.amount_minor).as_tuple()
        return Decimal((sign, digits, -self.exponent))

    def major_string(self, places: int | None = None) -> str:
        """Major units as a plain string, e.g. `10.00`; `places` overrides the currency's digits.

        Fewer places than the currency has are allowed only when the dropped digits are zeros, because
        rounding here would quietly change the amount a gateway is asked for.
        """
        digits = self.exponent if places is None else places
        if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
            raise ValueError(f"places must be a non-negative int, got {places!r}")
        if digits < self.exponent and self.amount_minor % (10 ** (self.exponent - digits)):
            raise ValueError(f"{self} cannot be written with {digits} decimal places without rounding")
        return f"{self.to_major():.{digits}f}"

    def is_whole_major(self) -> bool:
        return self.amount_minor % (10**self.exponent) == 0

    def whole_major(self) -> int:
        """Whole major units; raises if there is a fractional part, because truncating would lose money."""
        if not self.is_whole_major():
            raise ValueError(f"{self} has a fractional part")
        return self.amount_minor // (10**self.exponent)

    @classmethod
    def from_major(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Parse a gateway's major-unit amount exactly; a value finer than the currency allows is refused.

        Floats are refused like everywhere else: `0.1` is not one tenth, so a float has already lost the amount.
        """
        exponent = currency_exponent(currency)
        value = _parse_decimal(amount)
        if value.adjusted() >= MAJOR_DIGITS_MAX:
            raise ValueError(f"{amount!r} {currency} is too large to be an amount")
        # Shift the exponent in the tuple rather than with scaleb, which rounds to the context precision.
        sign, digits, value_exponent = value.as_tuple()
        minor = Decimal((sign, digits, value_exponent + exponent))
        minor_int = int(minor)
        if minor != minor_int:
            raise ValueError(f"{amount} {currency} is finer than the currency's minor unit")
        return cls(minor_int, currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyError(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        return f"{self.major_string()} {self.currency}"


def _parse_decimal(amount: object) -> Decimal:
    """A finite Decimal from a Decimal, an int or a numeric string; floats, bools and junk are refused."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"amount must be a Decimal, int or str, got {type(amount).__name__}")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(amount)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not a finite amount")
    return value
