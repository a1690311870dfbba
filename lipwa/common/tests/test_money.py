"""Money: integer minor units, exact conversions, no floats, no mixing of currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.common.money import CURRENCY_EXPONENTS, CurrencyError, Money, currency_exponent

CURRENCIES = sorted(CURRENCY_EXPONENTS)
# Amounts far beyond any real money, but inside the parser's size bound, so the properties cover huge values.
AMOUNTS = st.integers(min_value=-(10**50), max_value=10**50)
currencies = st.sampled_from(CURRENCIES)


@pytest.mark.parametrize(("currency", "exponent"), [
    ("KES", 2), ("UGX", 0), ("XOF", 0), ("XAF", 0), ("RWF", 0), ("TZS", 2), ("TND", 3), ("USD", 2), ("GHS", 2),
])
def test_currency_exponents(currency, exponent):
    assert currency_exponent(currency) == exponent
    assert Money(1, currency).exponent == exponent


@pytest.mark.parametrize("currency", ["kes", "XXX", "", "KES ", None, "BTC"])
def test_unknown_currency_is_refused(currency):
    with pytest.raises(CurrencyError):
        Money(100, currency)
    with pytest.raises(CurrencyError):
        currency_exponent(currency)


def test_currency_error_is_a_value_error():
    assert issubclass(CurrencyError, ValueError)


@pytest.mark.parametrize("amount", [1.0, 10.5, 0.0, True, False, Decimal("1"), "100", None])
def test_money_refuses_non_int_amounts(amount):
    with pytest.raises(TypeError):
        Money(amount, "KES")


def test_money_is_frozen_and_compares_by_value():
    money = Money(1050, "KES")
    assert money == Money(1050, "KES")
    assert money != Money(1050, "TZS")
    assert hash(money) == hash(Money(1050, "KES"))
    with pytest.raises(AttributeError):
        money.amount_minor = 1  # type: ignore[misc]


@pytest.mark.parametrize(("money", "major", "text"), [
    (Money(1050, "KES"), Decimal("10.50"), "10.50"),
    (Money(5, "KES"), Decimal("0.05"), "0.05"),
    (Money(0, "KES"), Decimal("0.00"), "0.00"),
    (Money(-250, "KES"), Decimal("-2.50"), "-2.50"),
    (Money(1500, "UGX"), Decimal("1500"), "1500"),
    (Money(2500, "XOF"), Decimal("2500"), "2500"),
    (Money(1234, "TND"), Decimal("1.234"), "1.234"),
    (Money(1, "TND"), Decimal("0.001"), "0.001"),
])
def test_to_major_and_major_string(money, major, text):
    assert money.to_major() == major
    assert str(money.to_major()) == text
    assert money.major_string() == text
    assert str(money) == f"{text} {money.currency}"


def test_to_major_is_exact_beyond_decimal_context_precision():
    # 41 digits: more than the 28-digit default Decimal context, which used to round the last digits away.
    money = Money(10**40 + 1, "KES")
    assert money.to_major() == Decimal("100000000000000000000000000000000000000.01")
    assert money.major_string() == "100000000000000000000000000000000000000.01"


def test_major_string_places_override():
    assert Money(1000, "KES").major_string(places=0) == "10"
    assert Money(1050, "KES").major_string(places=3) == "10.500"
    assert Money(1500, "UGX").major_string(places=2) == "1500.00"
    assert Money(1200, "TND").major_string(places=1) == "1.2"


@pytest.mark.parametrize(("money", "places"), [
    (Money(1005, "KES"), 0), (Money(1005, "KES"), 1), (Money(1, "KES"), 0), (Money(1234, "TND"), 2),
])
def test_major_string_refuses_to_round(money, places):
    with pytest.raises(ValueError):
        money.major_string(places=places)


@pytest.mark.parametrize("places", [-1, 1.5, True, "2"])
def test_major_string_refuses_bad_places(places):
    with pytest.raises(ValueError):
        Money(1000, "KES").major_string(places=places)


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("10.50", "KES", 1050), ("10.5", "KES", 1050), ("10", "KES", 1000), (10, "KES", 1000),
    (Decimal("0.01"), "KES", 1), ("1500", "UGX", 1500), ("1500.00", "UGX", 1500), ("1.234", "TND", 1234),
    ("-3.75", "KES", -375), ("0", "XOF", 0), ("1E+3", "UGX", 1000), (" 7 ", "RWF", 7),
    (Decimal("10.500000"), "KES", 1050), ("-0.00", "KES", 0),
])
def test_from_major_is_exact(amount, currency, minor):
    money = Money.from_major(amount, currency)
    assert money == Money(minor, currency)
    assert type(money.amount_minor) is int


@pytest.mark.parametrize(("amount", "currency"), [
    ("10.005", "KES"), ("0.001", "KES"), ("1.5", "UGX"), ("0.1", "XOF"), ("1.2345", "TND"),
    (Decimal("10.001"), "KES"), ("1e-999999999", "KES"),
])
def test_from_major_refuses_amounts_finer_than_the_minor_unit(amount, currency):
    with pytest.raises(ValueError, match="finer"):
        Money.from_major(amount, currency)


@pytest.mark.parametrize("amount", ["", "abc", "10,50", "1.2.3", "NaN", "nan", "Infinity", "-Inf", "sNaN",
                                    Decimal("NaN"), Decimal("Infinity"), "1e999999999", "9" * 200])
def test_from_major_refuses_junk_with_value_error(amount):
    with pytest.raises(ValueError):
        Money.from_major(amount, "KES")


@pytest.mark.parametrize("amount", [10.5, 0.1, 1.0, True, False, None, [10], b"10"])
def test_from_major_refuses_floats_bools_and_other_types(amount):
    with pytest.raises(TypeError):
        Money.from_major(amount, "KES")


def test_from_major_refuses_unknown_currency():
    with pytest.raises(CurrencyError):
        Money.from_major("10", "ABC")


def test_whole_major():
    assert Money(1000, "KES").is_whole_major()
    assert Money(1000, "KES").whole_major() == 10
    assert Money(-1000, "KES").whole_major() == -10
    assert Money(1500, "UGX").whole_major() == 1500
    assert Money(3000, "TND").whole_major() == 3
    assert Money(0, "KES").whole_major() == 0


@pytest.mark.parametrize("money", [Money(1050, "KES"), Money(1, "KES"), Money(-150, "KES"), Money(1001, "TND")])
def test_whole_major_refuses_fractions(money):
    assert not money.is_whole_major()
    with pytest.raises(ValueError):
        money.whole_major()


def test_add_and_sub_within_a_currency():
    assert Money(1000, "KES") + Money(50, "KES") == Money(1050, "KES")
    assert Money(1000, "KES") - Money(1050, "KES") == Money(-50, "KES")


@pytest.mark.parametrize(("left", "right"), [
    (Money(100, "KES"), Money(100, "UGX")), (Money(100, "XOF"), Money(100, "XAF")),
])
def test_add_and_sub_refuse_mixed_currencies(left, right):
    with pytest.raises(CurrencyError):
        left + right
    with pytest.raises(CurrencyError):
        left - right


@pytest.mark.parametrize("other", [1, Decimal("1"), 1.0, "1", None])
def test_add_and_sub_refuse_non_money(other):
    with pytest.raises(TypeError):
        Money(100, "KES") + other
    with pytest.raises(TypeError):
        Money(100, "KES") - other
    with pytest.raises(TypeError):
        other + Money(100, "KES")


@given(AMOUNTS, currencies)
def test_from_major_round_trips_to_major(amount, currency):
    money = Money(amount, currency)
    assert Money.from_major(money.to_major(), currency) == money
    assert Money.from_major(money.major_string(), currency) == money
    assert Money.from_major(str(money.to_major()), currency) == money


@given(AMOUNTS, currencies)
def test_major_string_has_exactly_the_currency_digits(amount, currency):
    text = Money(amount, currency).major_string()
    exponent = CURRENCY_EXPONENTS[currency]
    if exponent:
        assert len(text.split(".")[1]) == exponent
    else:
        assert "." not in text
    assert "e" not in text.lower()


@given(AMOUNTS, currencies)
def test_whole_major_agrees_with_to_major(amount, currency):
    money = Money(amount, currency)
    major = money.to_major()
    assert money.is_whole_major() == (major == major.to_integral_value())
    if money.is_whole_major():
        assert money.whole_major() == major


@given(AMOUNTS, AMOUNTS, AMOUNTS, currencies)
def test_addition_is_associative_and_commutative(a, b, c, currency):
    x, y, z = Money(a, currency), Money(b, currency), Money(c, currency)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert (x + y) - y == x
    assert x - x == Money(0, currency)
