"""SWIFT MT940 customer statement (PROVIDERS.md B.1), parsed by hand.

The `mt-940` package was considered: it is lenient by design (lines it does not recognise are skipped and
it keeps no line numbers), while an import here must refuse a damaged file and say where it is damaged.
The format is small enough to read exactly: tags, continuation lines, and the `:61:` sub-fields.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, decode_text, parse_amount

_TAG = re.compile(r"^:(?P<tag>\d{2}[A-Z]?):(?P<value>.*)$")
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,]*)$")
_ENTRY = re.compile(r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
                    r"(?P<amount>\d[\d,]*)(?P<type>[SNF][A-Z0-9]{3})(?P<ref>.*?)(?://(?P<bankref>.*))?$")
_DIRECTIONS = {"C": CREDIT, "D": DEBIT, "RC": DEBIT, "RD": CREDIT}  # a reversal moves money the other way


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    text = decode_text(data, encodings=("utf-8", "cp1252"))
    fields = _fields(text)
    tags = [tag for tag, _, _ in fields]
    for needed in ("20", "25"):
        if needed not in tags:
            raise StatementParseError(None, None, f"no :{needed}: field: not an MT940 statement")
    if not any(t in tags for t in ("60F", "60M")):
        raise StatementParseError(None, None, "no opening balance (:60F:/:60M:): not an MT940 statement")
    if not any(t in tags for t in ("62F", "62M")):
        raise StatementParseError(None, None, "no closing balance (:62F:/:62M:): the file is truncated")
    # ":25:" may be "BIC/account"; the account alone is what a camt.053 of the same account names.
    account = next(value for tag, value, _ in fields if tag == "25").strip().rsplit("/", 1)[-1]
    file_currency = _currency(fields)
    if currency and currency != file_currency:
        raise StatementParseError(None, None, f"the statement is in {file_currency}, not {currency}")
    lines: list[StatementLine] = []
    for index, (tag, value, number) in enumerate(fields):
        if tag != "61":
            continue
        details = fields[index + 1][1] if index + 1 < len(fields) and fields[index + 1][0] == "86" else ""
        lines.append(_entry(value, number, details, file_currency, account))
    return lines


def _fields(text: str) -> list[tuple[str, str, int]]:
    """(tag, value with continuation lines joined by newlines, line number) in file order."""
    if "{4:" in text and "-}" not in text:
        raise StatementParseError(None, None, "block 4 is never closed with '-}': the file is truncated")
    fields: list[tuple[str, str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if "{4:" in line:
            line = line.split("{4:", 1)[1]
        if not line or line in ("-", "-}") or line.startswith("-}"):
            continue
        match = _TAG.match(line)
        if match:
            fields.append((match["tag"], match["value"], number))
        elif fields:
            tag, value, first = fields[-1]
            fields[-1] = (tag, f"{value}\n{line}", first)
        elif not line.startswith("{"):
            raise StatementParseError(number, 1, "text before the first :tag: field: not an MT940 statement")
    return fields


def _currency(fields: list[tuple[str, str, int]]) -> str:
    tag, value, number = next(f for f in fields if f[0] in ("60F", "60M"))
    match = _BALANCE.match(value.strip())
    if not match:
        raise StatementParseError(number, 6, f"opening balance {value.strip()!r} is not D/C, YYMMDD, currency, "
                                  "amount")
    return match["currency"]


def _entry(value: str, number: int, details: str, currency: str, account: str) -> StatementLine:
    first, _, supplementary = value.partition("\n")
    match = _ENTRY.match(first)
    if not match:
        raise StatementParseError(number, 5, f"statement line {first!r} is not value date, [entry date], "
                                  "C/D/RC/RD, amount, type code, reference")
    amount_text = match["amount"]
    if amount_text.count(",") != 1:
        raise StatementParseError(number, 5 + match.start("amount"),
                                  f"amount {amount_text!r} must have exactly one decimal comma")
    amount = parse_amount(amount_text, currency, line=number, column=5 + match.start("amount"),
                          decimal_separator=",", thousands_separator="")
    booked = _booked_date(match["value"], match["entry"], number)
    reference = (match["ref"] or "").strip()
    return StatementLine(
        line_number=number, reference=(match["bankref"] or "").strip(), amount_minor=amount, currency=currency,
        direction=_DIRECTIONS[match["mark"]],
        booked_at=datetime(booked.year, booked.month, booked.day, tzinfo=UTC),
        description=" ".join(part.strip() for part in [supplementary, *details.splitlines()] if part.strip()),
        payer_reference="" if reference.upper() == "NONREF" else reference, account=account, date_only=True,
        raw=value + (f"\n:86:{details}" if details else ""))


def _booked_date(value_text: str, entry_text: str | None, number: int) -> date:
    try:
        value_date = date(2000 + int(value_text[:2]), int(value_text[2:4]), int(value_text[4:6]))
    except ValueError:
        raise StatementParseError(number, 5, f"value date {value_text!r} is not YYMMDD") from None
    if not entry_text:
        return value_date
    month, day = int(entry_text[:2]), int(entry_text[2:])
    year = value_date.year
    # The entry date carries no year: a January booking of a December value date is in the next year.
    if value_date.month == 12 and month == 1:
        year += 1
    elif value_date.month == 1 and month == 12:
        year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        raise StatementParseError(number, 11, f"entry date {entry_text!r} is not MMDD") from None
