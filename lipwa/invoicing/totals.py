"""Invoice arithmetic on integers only.

Quantities are kept in thousandths (at most 3 decimal places). A line's amount is quantity x unit amount,
and its tax is that amount x the rate in basis points; each is rounded half-even to a whole minor unit *per
line*, and the invoice's subtotal, tax and total are plain sums of the rounded lines, so the PDF's lines
always add up to its totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lipwa.common.errors import InvalidRequest

QUANTITY_SCALE = 1000
TAX_RATE_MAX_BP = 10_000  # 100 %
LINES_MAX = 100
AMOUNT_MAX_MINOR = 10**13
QUANTITY_MAX_MILLI = 10**9 * QUANTITY_SCALE
_QUANTITY = re.compile(r"^(\d{1,10})(?:\.(\d{1,3}))?$")


@dataclass(frozen=True)
class Line:
    description: str
    quantity_milli: int
    unit_amount_minor: int
    tax_rate_bp: int
    amount_minor: int
    tax_minor: int


def div_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, ties to even (denominator > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def parse_quantity(raw: object, param: str) -> int:
    """An integer, or a decimal string with at most 3 places; never a float (0.1 is not exact)."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int):
        milli = raw * QUANTITY_SCALE
    elif isinstance(raw, str) and (match := _QUANTITY.match(raw)):
        milli = int(match[1]) * QUANTITY_SCALE + int((match[2] or "").ljust(3, "0"))
    else:
        raise InvalidRequest("quantity must be a positive integer or a decimal string with at most 3 places "
                             "(e.g. \"1.5\")", param=param, code="invalid_quantity")
    if milli <= 0:
        raise InvalidRequest("quantity must be greater than zero", param=param, code="invalid_quantity")
    if milli > QUANTITY_MAX_MILLI:
        raise InvalidRequest("quantity is too large", param=param, code="invalid_quantity")
    return milli


def line_compute(*, description: str, quantity_milli: int, unit_amount_minor: int, tax_rate_bp: int) -> Line:
    amount = div_half_even(quantity_milli * unit_amount_minor, QUANTITY_SCALE)
    tax = div_half_even(amount * tax_rate_bp, 10_000)
    return Line(description, quantity_milli, unit_amount_minor, tax_rate_bp, amount, tax)


def lines_parse(raw_lines: object) -> list[Line]:
    """Validate the request's lines (each a dict) into computed lines; errors name the offending field."""
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidRequest("an invoice needs at least one line", param="lines", code="invoice_empty")
    if len(raw_lines) > LINES_MAX:
        raise InvalidRequest(f"an invoice has at most {LINES_MAX} lines", param="lines")
    lines = []
    for index, raw in enumerate(raw_lines):
        where = f"lines.{index}"
        description = raw.get("description")
        if not isinstance(description, str) or not description.strip() or len(description) > 500:
            raise InvalidRequest("description must be 1 to 500 characters", param=f"{where}.description")
        unit = raw.get("unit_amount")
        if isinstance(unit, bool) or not isinstance(unit, int) or unit < 0 or unit > AMOUNT_MAX_MINOR:
            raise InvalidRequest(f"unit_amount must be an integer number of minor units from 0 to "
                                 f"{AMOUNT_MAX_MINOR}", param=f"{where}.unit_amount", code="invalid_amount")
        rate = raw.get("tax_rate", 0)
        if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= TAX_RATE_MAX_BP:
            raise InvalidRequest("tax_rate must be an integer number of basis points from 0 to 10000 (100 %)",
                                 param=f"{where}.tax_rate", code="invalid_tax_rate")
        quantity = parse_quantity(raw.get("quantity", 1), f"{where}.quantity")
        lines.append(line_compute(description=description.strip(), quantity_milli=quantity,
                                  unit_amount_minor=unit, tax_rate_bp=rate))
    return lines


def totals(lines: list[Line]) -> tuple[int, int, int]:
    subtotal = sum(line.amount_minor for line in lines)
    tax = sum(line.tax_minor for line in lines)
    return subtotal, tax, subtotal + tax


def split_exact(total: int, shares_bp: list[int]) -> list[int]:
    """Split `total` by shares (basis points summing to 10000): each part is rounded down and the
    remainder goes to the last part, so the parts always sum to exactly `total`."""
    parts = [total * share // 10_000 for share in shares_bp[:-1]]
    return [*parts, total - sum(parts)]


def quantity_string(quantity_milli: int) -> str:
    whole, frac = divmod(quantity_milli, QUANTITY_SCALE)
    return str(whole) if not frac else f"{whole}.{frac:03d}".rstrip("0")
