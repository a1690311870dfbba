"""SWIFT MT940 customer statement (PROVIDERS.md B.1), parsed by hand.

The `mt-940` package was considered: it is lenient by design (lines it does not recognise are skipped and
it keeps no line numbers), while an import here must refuse a damaged file and say where it is damaged.
The format is small enough to read exactly: tags, continuation lines, and the `:61:` sub-fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import BinaryIO

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, as_stream, open_text, parse_amount

_TAG = re.compile(r"^:(?P<tag>\d{2}[A-Z]?):(?P<value>.*)$")
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,]*)$")
_ENTRY = re.compile(r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
                    r"(?P<amount>\d[\d,]*)(?P<type>[SNF][A-Z0-9]{3})(?P<ref>.*?)(?://(?P<bankref>.*))?$")
_DIRECTIONS = {"C": CREDIT, "D": DEBIT, "RC": DEBIT, "RD": CREDIT}  # a reversal moves money the other way
# SWIFT lines are at most 65 characters and a field at most a few of them (:86: is 6 × 65); the bounds keep a
# damaged or hostile file from growing one line or field without end while it streams.
LINE_CHARS_MAX = 64 * 1024
FIELD_CHARS_MAX = 64 * 1024


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    """Lines as each `:61:` (with the `:86:` after it) completes, reading the file incrementally.

    What only the end of the file can tell (no closing balance, block 4 never closed) is refused there, after
    earlier lines were yielded: the import stores all or nothing, so that is still safe.
    """
    header = _Header(currency)
    pending: tuple[str, int] | None = None  # a :61: (value, line number) whose :86: may come next
    for tag, value, number in _fields(_text_lines(data)):
        if pending is not None:
            details = value if tag == "86" else ""
            yield _entry(*pending, details, header.currency, header.account)
            pending = None
            if tag == "86":
                continue
        if tag == "61":
            header.check_before_entry(number)
            pending = (value, number)
        else:
            header.note(tag, value, number)
    if pending is not None:
        yield _entry(*pending, "", header.currency, header.account)
    header.check_complete()


class _Header:
    """The statement's fields that entries depend on: the first `:25:` (account) and the first opening
    balance (currency), and which tags were seen."""

    def __init__(self, expected_currency: str | None) -> None:
        self.expected_currency = expected_currency
        self.tags: set[str] = set()
        self.account = self.currency = ""

    def note(self, tag: str, value: str, number: int) -> None:
        if tag == "25" and "25" not in self.tags:
            # ":25:" may be "BIC/account"; the account alone is what a camt.053 of the same account names.
            self.account = value.strip().rsplit("/", 1)[-1]
        if tag in ("60F", "60M") and not self.currency:
            self.currency = _currency(value, number)
            if self.expected_currency and self.expected_currency != self.currency:
                raise StatementParseError(number, 13, f"the statement is in {self.currency}, not "
                                          f"{self.expected_currency}")
        self.tags.add(tag)

    def check_before_entry(self, number: int) -> None:
        for needed in ("20", "25"):
            if needed not in self.tags:
                raise StatementParseError(number, 1, f"no :{needed}: field before the first statement line: not "
                                          "an MT940 statement")
        if not self.currency:
            raise StatementParseError(number, 1, "no opening balance (:60F:/:60M:) before the first statement "
                                      "line: not an MT940 statement")

    def check_complete(self) -> None:
        for needed in ("20", "25"):
            if needed not in self.tags:
                raise StatementParseError(None, None, f"no :{needed}: field: not an MT940 statement")
        if not self.currency:
            raise StatementParseError(None, None, "no opening balance (:60F:/:60M:): not an MT940 statement")
        if not self.tags & {"62F", "62M"}:
            raise StatementParseError(None, None, "no closing balance (:62F:/:62M:): the file is truncated")


def _text_lines(data: bytes | BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, line) read a chunk at a time, in UTF-8 or else cp1252 as the whole file decides.

    Lines are numbered as `str.splitlines` numbers them, so a form feed or a Unicode line separator inside a
    line ends it, as it did when the file was read whole.
    """
    text = open_text(as_stream(data), encodings=("utf-8", "cp1252"))
    number = 0
    while raw := text.readline(LINE_CHARS_MAX + 1):
        if len(raw) > LINE_CHARS_MAX:
            raise StatementParseError(number + 1, None, f"a line longer than {LINE_CHARS_MAX} characters: not "
                                      "an MT940 statement")
        for line in raw.splitlines():
            number += 1
            yield number, line


def _fields(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[str, str, int]]:
    """(tag, value with continuation lines joined by newlines, line number) as each field completes."""
    field: tuple[str, int, list[str]] | None = None
    size = 0
    opened = closed = False  # block 4 ("{4:" … "-}")
    for number, raw in lines:
        opened, closed = opened or "{4:" in raw, closed or "-}" in raw
        line = raw.rstrip()
        if "{4:" in line:
            line = line.split("{4:", 1)[1]
        if not line or line in ("-", "-}") or line.startswith("-}"):
            continue
        match = _TAG.match(line)
        if match:
            if field is not None:
                yield field[0], "\n".join(field[2]), field[1]
            field, size = (match["tag"], number, [match["value"]]), len(match["value"])
        elif field is not None:
            field[2].append(line)
            size += len(line) + 1
            if size > FIELD_CHARS_MAX:
                raise StatementParseError(field[1], 1, f"field :{field[0]}: runs over {FIELD_CHARS_MAX} "
                                          "characters (a damaged file?)")
        elif not line.startswith("{"):
            raise StatementParseError(number, 1, "text before the first :tag: field: not an MT940 statement")
    if field is not None:
        yield field[0], "\n".join(field[2]), field[1]
    if opened and not closed:
        raise StatementParseError(None, None, "block 4 is never closed with '-}': the file is truncated")


def _currency(value: str, number: int) -> str:
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
