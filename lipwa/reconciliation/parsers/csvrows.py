"""CSV reading shared by the M-Pesa and bank CSV parsers: find the header row, then yield rows by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from .base import StatementParseError, decode_text

HEADER_SEARCH_ROWS = 20  # portal exports put a few lines (organisation, period…) above the column row


def csv_rows(data: bytes, *, header_marker: str, known: set[str] | None, required: set[str],
             delimiter: str = ",") -> Iterator[tuple[int, dict[str, str], dict[str, int]]]:
    """Yield (line number, row by column name, column index by name) for each data row.

    The header is the first row containing `header_marker`. With `known`, a column outside it is an error
    (a different export we would misread); every `required` column must be there.
    """
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    try:
        for row in reader:
            if header is None:
                if header_marker in (cell.strip() for cell in row):
                    header = [cell.strip() for cell in row]
                    _check_header(header, reader.line_num, known, required)
                elif reader.line_num >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise StatementParseError(reader.line_num, len(row), f"{len(row)} fields where the header has "
                                          f"{len(header)} (a truncated or mis-separated file?)")
            yield reader.line_num, dict(zip(header, row, strict=True)), {n: i + 1 for i, n in enumerate(header)}
    except csv.Error as exc:
        raise StatementParseError(reader.line_num, None, f"not valid CSV: {exc}") from None
    if header is None:
        raise StatementParseError(None, None, f"no header row with a {header_marker!r} column in the first "
                                  f"{HEADER_SEARCH_ROWS} lines (wrong format or preset?)")


def _check_header(header: list[str], line: int, known: set[str] | None, required: set[str]) -> None:
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


def parse_datetime(text: str, formats: tuple[str, ...], utc_offset_minutes: int, *, line: int,
                   column: str) -> datetime:
    zone = timezone(timedelta(minutes=utc_offset_minutes))
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    raise StatementParseError(line, column, f"{text.strip()!r} is not a date in {' or '.join(formats)}")


def cell(row: dict[str, str], columns: dict[str, int], name: str) -> tuple[str, str]:
    """The value of a column and how an error names its position: "3 (Paid In)"."""
    return row.get(name, "").strip(), f"{columns.get(name, '?')} ({name})"
