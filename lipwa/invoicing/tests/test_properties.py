"""Invariants of the integer arithmetic: rounding per line, totals that add up, splits that lose nothing."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from lipwa.invoicing.schedules import split_equal
from lipwa.invoicing.totals import div_half_even, line_compute, split_exact, totals

amounts = st.integers(min_value=0, max_value=10**10)
quantities = st.integers(min_value=1, max_value=10**7)
rates = st.integers(min_value=0, max_value=10_000)


@given(st.integers(min_value=-(10**18), max_value=10**18), st.integers(min_value=1, max_value=10**6))
def test_div_half_even_matches_decimal(numerator, denominator):
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert div_half_even(numerator, denominator) == int(expected)


@given(st.lists(st.tuples(quantities, amounts, rates), min_size=1, max_size=20))
def test_totals_are_sums_of_rounded_lines(raw):
    lines = [line_compute(description="x", quantity_milli=q, unit_amount_minor=u, tax_rate_bp=r) for q, u, r in raw]
    subtotal, tax, total = totals(lines)
    assert total == subtotal + tax
    for line in lines:
        exact = Decimal(line.quantity_milli * line.unit_amount_minor) / 1000
        assert abs(Decimal(line.amount_minor) - exact) <= Decimal("0.5")
        assert 0 <= line.tax_minor <= line.amount_minor


@given(st.integers(min_value=1, max_value=10**13), st.integers(min_value=1, max_value=60))
def test_equal_split_is_exact(total, count):
    parts = split_equal(total, count)
    assert sum(parts) == total and len(parts) == count
    assert max(parts[:-1] or [parts[-1]]) <= parts[-1] < (total // count) + count


@given(st.integers(min_value=1, max_value=10**13),
       st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=30))
def test_share_split_is_exact(total, weights):
    shares = [w * 10_000 // sum(weights) for w in weights]
    shares[-1] += 10_000 - sum(shares)
    parts = split_exact(total, shares)
    assert sum(parts) == total and all(p >= 0 for p in parts)
