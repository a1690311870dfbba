"""Exchange rates: exact parsing, all-or-nothing imports, latest-effective lookups, display-only conversions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest
from lipwa.fx.models import ExchangeRate
from lipwa.fx.rates import RateError, convert_minor, rate_parse
from lipwa.fx.selectors import rate_get
from lipwa.fx.services import rate_set, rates_import_csv

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["0", "-0.0077", "abc", "", "NaN", "Infinity", "1e-13", "0.0000000000001",
                                  "1" * 19])
def test_bad_rates_are_refused(text):
    with pytest.raises(RateError):
        rate_parse(text)


def test_floats_are_refused():
    with pytest.raises(RateError):
        rate_parse(0.0077)


def test_rates_are_kept_exactly():
    assert rate_parse("0.007700") == Decimal("0.0077")
    assert rate_parse("123456789012345678.123456789012") == Decimal("123456789012345678.123456789012")


@pytest.mark.django_db
@pytest.mark.parametrize(("base", "quote", "rate"), [
    ("KES", "USD", "0"), ("KES", "USD", "-1"), ("KES", "USD", "lots"), ("KES", "KES", "1"),
    ("KES", "XXX", "1"), ("kes", "USD", "0.0077"), ("KES", "USD", 0.0077)])
def test_rate_set_refuses_bad_input_and_stores_nothing(base, quote, rate):
    with pytest.raises(InvalidRequest):
        rate_set(base=base, quote=quote, rate=rate)
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_rate_set_refuses_a_naive_instant_and_a_second_rate_at_the_same_instant():
    with pytest.raises(InvalidRequest):
        rate_set(base="KES", quote="USD", rate="0.0077", effective_at=datetime(2025, 1, 1))
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0)
    with pytest.raises(InvalidRequest):
        rate_set(base="KES", quote="USD", rate="0.0078", effective_at=T0)
    assert ExchangeRate.objects.get().rate == "0.0077"


@pytest.mark.django_db
def test_rate_get_takes_the_latest_effective_at_or_before():
    rate_set(base="KES", quote="USD", rate="0.0070", effective_at=T0)
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0 + timedelta(days=10))
    assert rate_get("KES", "USD", T0 - timedelta(seconds=1)) is None
    assert rate_get("KES", "USD", T0 + timedelta(days=5)).rate == Decimal("0.007")
    assert rate_get("KES", "USD", T0 + timedelta(days=10)).rate == Decimal("0.0077")


@pytest.mark.django_db
def test_rate_get_inverts_the_other_direction_and_prefers_the_newer():
    rate_set(base="USD", quote="KES", rate="130", effective_at=T0)
    quote = rate_get("KES", "USD", T0 + timedelta(days=1))
    assert quote.inverted and quote.rate == (Decimal(1) / Decimal(130)).normalize()
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0 + timedelta(hours=1))
    assert rate_get("KES", "USD", T0 + timedelta(days=1)).rate == Decimal("0.0077")
    rate_set(base="USD", quote="KES", rate="125", effective_at=T0 + timedelta(hours=2))
    assert rate_get("KES", "USD", T0 + timedelta(days=1)).inverted


@pytest.mark.django_db
def test_csv_import_all_rows():
    text = ("base,quote,rate,effective_at\n"
            "KES,USD,0.0077,2025-01-01T00:00:00+00:00\n"
            "TZS,USD,0.00037,2025-01-01T00:00:00+03:00\n"
            "\n"
            "UGX,KES,0.035\n")
    assert rates_import_csv(text) == (3, [])
    assert rates_import_csv(text.replace("UGX,KES,0.035\n", "")) == (0, [])  # the same file again: no-op
    assert ExchangeRate.objects.filter(source="import").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_line", "message"), [
    ("KES,USD,0", "greater than zero"), ("KES,USD,-2", "greater than zero"), ("KES,USD,abc", "not a number"),
    ("KES,KES,1", "both KES"), ("KES,XYZ,1", "XYZ"), ("KES,USD", "3 or 4 columns"),
    ("KES,USD,0.0077,yesterday", "ISO 8601"), ("KES,USD,0.0077,2025-01-01T00:00:00", "timezone"),
    ("TZS,USD,0.00037,2025-01-01T00:00:00+03:00", "repeats TZS/USD")])
def test_csv_with_one_bad_line_imports_nothing(bad_line, message):
    text = ("base,quote,rate,effective_at\n"
            "TZS,USD,0.00037,2025-01-01T00:00:00+03:00\n"
            f"{bad_line}\n"
            "UGX,KES,0.035\n")
    imported, errors = rates_import_csv(text)
    assert imported == 0 and len(errors) == 1
    assert errors[0].startswith("line 3: ") and message in errors[0], errors
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_csv_conflicting_with_a_stored_rate_imports_nothing():
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0)
    imported, errors = rates_import_csv("base,quote,rate,effective_at\nUGX,KES,0.035\n"
                                        "KES,USD,0.0080,2025-01-01T00:00:00+00:00\n")
    assert imported == 0 and errors[0].startswith("line 3: KES/USD already has rate 0.0077")
    assert ExchangeRate.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "KES,USD,0.0077\n", "base;quote;rate\nKES;USD;1\n"])
def test_csv_without_the_header_is_refused(text):
    imported, errors = rates_import_csv(text)
    assert imported == 0 and errors[0].startswith("line 1:")


def test_convert_minor_rounds_half_even_across_exponents():
    assert convert_minor(150000, "KES", "USD", Decimal("0.0077")) == 1155  # KES 1,500.00 → USD 11.55
    assert convert_minor(1000, "UGX", "KES", Decimal("0.035")) == 3500  # UGX 1,000 → KES 35.00
    assert convert_minor(1, "KES", "UGX", Decimal("0.5")) == 0  # 0.005 UGX: half-even to 0
    assert convert_minor(3, "KES", "UGX", Decimal("50")) == 2  # 1.5 UGX → 2
    assert convert_minor(5, "KES", "UGX", Decimal("50")) == 2  # 2.5 UGX → 2


@pytest.mark.django_db
def test_clock_decides_the_default_instant():
    clock.freeze(T0)
    rate_set(base="KES", quote="USD", rate="0.0077")
    assert ExchangeRate.objects.get().effective_at == T0
