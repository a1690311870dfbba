"""CSV reading shared by the M-Pesa and bank CSV parsers: find the header row, then yield rows by name."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

from .base import StatementParseError, as_stream, exponent_of, open_text

HEADER_SEARCH_ROWS = 20  # portal exports put a few lines (organisation, period…) above the column row


def csv_rows(data: bytes | BinaryIO, *, header_marker: str | tuple[str, ...], known: set[str] | None,
             required: set[str], delimiter: str = ",") -> Iterator[tuple[int, dict[str, str], dict[str, int]]]:
    """Yield (line number, row by column name, column index by name) for each data row, reading the file
    incrementally (bytes or a seekable binary file).

    The header is the first row containing `header_marker`. With `known`, a column outside it is an error
    (a different export we would misread); every `required` column must be there.
    """
    reader = csv.reader(open_text(as_stream(data)), delimiter=delimiter, strict=True)
    markers = (header_marker,) if isinstance(header_marker, str) else header_marker
    header: list[str] | None = None
    try:
        for row in reader:
            if header is None:
                if any(cell.strip() in markers for cell in row):
                    header = [cell.strip() for cell in row]
                    check_header(header, reader.line_num, known, required)
                    columns = {name: index for index, name in enumerate(header, start=1)}
                elif reader.line_num >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise StatementParseError(reader.line_num, len(row), f"{len(row)} fields where the header has "
                                          f"{len(header)} (a truncated or mis-separated file?)")
            yield reader.line_num, dict(zip(header, row, strict=True)), columns
    except csv.Error as exc:
        raise StatementParseError(reader.line_num, None, f"not valid CSV: {exc}") from None
    if header is None:
        raise StatementParseError(None, None, f"no header row with a {' or '.join(map(repr, markers))} column in "
                                  f"the first {HEADER_SEARCH_ROWS} lines (wrong format or preset?)")


def paid_rows(data: bytes | BinaryIO, *, header_marker: str, known: set[str], required: set[str], paid: set[str],
              skipped: set[str]) -> Iterator[tuple[int, dict[str, str], dict[str, int]]]:
    """The rows of `csv_rows` whose `Status` says money moved (see `status_included`)."""
    for number, row, columns in csv_rows(data, header_marker=header_marker, known=known, required=required):
        status, status_at = cell(row, columns, "Status")
        if status_included(status, paid=paid, skipped=skipped, line=number, column=status_at):
            yield number, row, columns


def check_header(header: list[str], line: int, known: set[str] | None, required: set[str]) -> None:
    if known is not None:
        for index, name in enumerate(header, start=1):
            if name not in known:
                raise StatementParseError(line, index, f"unknown column {name!r}")
    missing = sorted(required - set(header))
    if missing:
        raise StatementParseError(line, None, f"missing column(s) {', '.join(repr(m) for m in missing)}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise StatementParseError(line, None, f"column(s) {', '.join(duplicated)} appear twice")


def parse_iso_datetime(text: str, *, line: int, column: str) -> tuple[datetime, bool]:
    """An ISO 8601 date or date-time (`Z` or an offset; none means UTC) → (aware datetime, date only?)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise StatementParseError(line, column, f"{value!r} is not an ISO 8601 date or time") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), len(value) == 10


# strptime costs about a third of parsing a large statement. For the usual formats, a zero-padded value is
# read directly; anything else (unpadded fields, an impossible date) falls through to strptime, which then
# decides exactly as before.
_D2, _D4 = "([0-9]{2})", "([0-9]{4})"
_PADDED = {
    "%d-%m-%Y %H:%M:%S": (re.compile(f"{_D2}-{_D2}-{_D4} {_D2}:{_D2}:{_D2}"), (2, 1, 0, 3, 4, 5)),
    "%Y-%m-%d %H:%M:%S": (re.compile(f"{_D4}-{_D2}-{_D2} {_D2}:{_D2}:{_D2}"), (0, 1, 2, 3, 4, 5)),
}


@functools.lru_cache(maxsize=64)
def _zone(utc_offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=utc_offset_minutes))


def _padded(text: str, fmt: str, zone: timezone) -> datetime | None:
    pattern, order = _PADDED.get(fmt, (None, ()))
    found = pattern.fullmatch(text) if pattern else None
    if found is None:
        return None
    fields = found.groups()
    try:
        return datetime(*(int(fields[i]) for i in order), tzinfo=zone)
    except ValueError:
        return None


def parse_datetime(text: str, formats: tuple[str, ...], utc_offset_minutes: int, *, line: int,
                   column: str) -> datetime:
    zone = _zone(utc_offset_minutes)
    value = text.strip()
    for fmt in formats:
        fast = _padded(value, fmt, zone)
        if fast is not None:
            return fast
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    raise StatementParseError(line, column, f"{text.strip()!r} is not a date in {' or '.join(formats)}")


def cell(row: dict[str, str], columns: dict[str, int], name: str) -> tuple[str, str]:
    """The value of a column and how an error names its position: "3 (Paid In)"."""
    return row.get(name, "").strip(), f"{columns.get(name, '?')} ({name})"


# Local time of the country whose currency a mobile-money export is in: the portals print local time without
# an offset. XOF and XAF span several countries; their exports are read as the time of the larger markets
# (Côte d'Ivoire/Senegal UTC+0, Cameroon UTC+1). EUR is MTN's sandbox currency (UTC).
UTC_OFFSET_MINUTES_BY_CURRENCY = {"KES": 180, "UGX": 180, "TZS": 180, "RWF": 120, "ZMW": 120, "MWK": 120,
                                  "CDF": 120, "ZAR": 120, "USD": 120, "ZWG": 120, "GHS": 0, "XOF": 0, "NGN": 60,
                                  "XAF": 60, "EUR": 0}


def local_offset_minutes(currency: str) -> int:
    if currency not in UTC_OFFSET_MINUTES_BY_CURRENCY:
        raise StatementParseError(None, None, f"no local time zone known for a {currency} export")
    return UTC_OFFSET_MINUTES_BY_CURRENCY[currency]


def status_included(text: str, *, paid: set[str], skipped: set[str], line: int, column: str) -> bool:
    """True for a row whose money moved, False for one that did not; an unknown status is refused rather
    than guessed (a new portal status could be either)."""
    value = text.strip().lower()
    if value in paid:
        return True
    if value in skipped:
        return False
    raise StatementParseError(line, column, f"unknown status {text.strip()!r}; known: "
                              f"{', '.join(sorted(paid | skipped))}")


def msisdn_digits(text: str) -> str:
    """The phone number in an MSISDN cell: "FRI:256772123456/MSISDN" → "256772123456"; masked digits kept."""
    value = text.strip()
    if value.upper().startswith("FRI:"):
        value = value[4:].split("/", 1)[0]
    return "".join(ch for ch in value if ch.isdigit() or ch == "*")


def currency_cell(row: dict[str, str], columns: dict[str, int], name: str, expected: str | None, *,
                  line: int) -> str:
    """The row's currency: the column's value (or `expected` where the export has none), which must be one
    lipwa knows and, when the caller said which, the same."""
    value, at = cell(row, columns, name) if name in columns else ("", "")
    if not value:
        if not expected:
            raise StatementParseError(line, at or None, "the row says no currency: give one")
        return expected
    if expected and value != expected:
        raise StatementParseError(line, at, f"the row is in {value!r}, not {expected}")
    try:
        exponent_of(value)
    except StatementParseError:
        raise StatementParseError(line, at, f"unsupported currency {value!r}") from None
    return value
