"""What every statement parser returns and raises, and the small pure helpers they share.

A parser is a pure function from the file's bytes to a list of `StatementLine`: no database, no clock. Any
line it cannot read raises `StatementParseError` naming the line and column (1-based), so an operator can
open the file at the right place; the import then stores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from lipwa.common.money import CurrencyError, currency_exponent

CREDIT = "credit"
DEBIT = "debit"

# Amount columns never need more digits than this; the bound keeps a hostile file from building huge ints.
AMOUNT_CHARS_MAX = 40


class StatementParseError(ValueError):
    def __init__(self, line: int | None, column: int | str | None, message: str) -> None:
        self.line, self.column, self.message = line, column, message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class StatementLine:
    line_number: int
    reference: str  # the gateway's or bank's own id of the entry (receipt, AcctSvcrRef); "" if none
    amount_minor: int  # always positive; `direction` says which way the money went
    currency: str
    direction: str  # CREDIT (money in) or DEBIT
    booked_at: datetime  # timezone-aware
    counterparty: str = ""  # phone (possibly masked) or account of the other party
    description: str = ""
    payer_reference: str = ""  # what the payer typed: M-Pesa A/C No., camt EndToEndId, MT940 field 7
    account: str = ""  # our account the statement is for (MT940 :25:, camt Acct/Id), "" if the file has none
    balance_minor: int | None = None  # running balance after the entry, where the file has one
    date_only: bool = False  # the file gives a date without a time
    raw: str = field(default="", compare=False)


def decode_text(data: bytes, *, encodings: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252")) -> str:
    """Bytes → text, refusing binary files (a NUL byte never appears in a text statement)."""
    if not data or not data.strip():
        raise StatementParseError(None, None, "the file is empty")
    if b"\x00" in data[:8192]:
        raise StatementParseError(None, None, "the file is binary (an Excel or PDF export?), not text")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.removeprefix("\ufeff")
    raise StatementParseError(None, None, f"the file is not text in {', '.join(encodings)}")


def exponent_of(currency: str) -> int:
    try:
        return currency_exponent(currency)
    except CurrencyError:
        raise StatementParseError(None, None, f"unsupported currency {currency!r}") from None


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(text: str, currency: str, *, line: int, column: int | str, decimal_separator: str = ".",
                 thousands_separator: str = ",", signed: bool = False) -> int:
    """A decimal amount in major units → integer minor units, exactly (never through a float).

    Refuses a negative amount unless `signed` (the caller gives the sign its meaning), and more decimals
    than the currency has.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if thousands_separator:
        cleaned = cleaned.replace(thousands_separator, "")
    if decimal_separator != ".":
        cleaned = cleaned.replace(decimal_separator, ".")
    if not cleaned or len(cleaned) > AMOUNT_CHARS_MAX or not _PLAIN_NUMBER.match(cleaned):
        raise StatementParseError(line, column, f"{text.strip()!r} is not an amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StatementParseError(line, column, f"{text.strip()!r} is not an amount") from None
    if value < 0 and not signed:
        raise StatementParseError(line, column, f"negative amount {text.strip()!r}")
    exponent = exponent_of(currency)
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise StatementParseError(line, column, f"{text.strip()!r} has more decimals than {currency} allows")
    return int(minor)
