"""Setting and importing exchange rates. Rates are for display only (docs/decisions.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest

from .models import ExchangeRate
from .rates import RateError, currency_check, rate_parse, rate_text

CSV_COLUMNS = ("base", "quote", "rate", "effective_at")
CSV_ROWS_MAX = 10_000


@dataclass(frozen=True)
class _Row:
    base: str
    quote: str
    rate: str
    effective_at: datetime


def rate_set(*, base: str, quote: str, rate: object, effective_at: datetime | None = None,
             source: str = "manual") -> ExchangeRate:
    """Record that 1 `base` is worth `rate` `quote` from `effective_at` (default: now)."""
    try:
        row = _row(base, quote, rate, effective_at or clock.now())
    except RateError as exc:
        raise InvalidRequest(str(exc), param="rate", code="invalid_rate") from None
    with transaction.atomic():
        return _store(row, source)


def rates_import_csv(text: str) -> tuple[int, list[str]]:
    """Import `base,quote,rate[,effective_at]` lines (a header line first; `effective_at` ISO 8601 with a
    timezone, blank for now). Returns (rows imported, errors); on any error nothing is imported.

    A line identical to a stored rate (same pair, instant and rate) is skipped, so a file can be imported
    twice; the same pair and instant with another rate is an error.
    """
    rows, errors = _parse_csv(text)
    if errors:
        return 0, errors
    imported = 0
    with transaction.atomic():
        for line_number, row in rows:
            existing = ExchangeRate.objects.filter(base=row.base, quote=row.quote,
                                                   effective_at=row.effective_at).first()
            if existing is None:
                _store(row, "import")
                imported += 1
            elif existing.rate != row.rate:
                errors.append(f"line {line_number}: {row.base}/{row.quote} already has rate {existing.rate} "
                              f"effective at {row.effective_at.isoformat()}")
        if errors:
            transaction.set_rollback(True)
            return 0, errors
    return imported, []


def _parse_csv(text: str) -> tuple[list[tuple[int, _Row]], list[str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [cell.strip().lower() for cell in header][:3] != list(CSV_COLUMNS[:3]):
        return [], [f"line 1: the header must be {','.join(CSV_COLUMNS)} (effective_at optional)"]
    rows, errors, seen = [], [], {}
    now = clock.now()
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= CSV_ROWS_MAX:
            errors.append(f"line {line_number}: more than {CSV_ROWS_MAX} rates in one file")
            break
        if len(cells) not in (3, 4):
            errors.append(f"line {line_number}: expected 3 or 4 columns ({','.join(CSV_COLUMNS)}), "
                          f"got {len(cells)}")
            continue
        base, quote, rate = (cell.strip() for cell in cells[:3])
        when = cells[3].strip() if len(cells) == 4 else ""
        try:
            row = _row(base, quote, rate, _parse_instant(when) if when else now)
        except RateError as exc:
            errors.append(f"line {line_number}: {exc}")
            continue
        key = (row.base, row.quote, row.effective_at)
        if key in seen:
            errors.append(f"line {line_number}: repeats {row.base}/{row.quote} at {row.effective_at.isoformat()} "
                          f"from line {seen[key]}")
            continue
        seen[key] = line_number
        rows.append((line_number, row))
    return rows, errors


def _parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RateError(f"effective_at {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise RateError(f"effective_at {text!r} needs a timezone, e.g. {text}+00:00")
    return value.astimezone(UTC)


def _row(base: object, quote: object, rate: object, effective_at: datetime) -> _Row:
    base = currency_check(base, "base")
    quote = currency_check(quote, "quote")
    if base == quote:
        raise RateError(f"base and quote are both {base}; a rate needs two currencies")
    if effective_at.tzinfo is None or effective_at.utcoffset() is None:
        raise RateError("effective_at needs a timezone")
    return _Row(base, quote, rate_text(rate_parse(rate)), effective_at)


def _store(row: _Row, source: str) -> ExchangeRate:
    if ExchangeRate.objects.filter(base=row.base, quote=row.quote, effective_at=row.effective_at).exists():
        raise InvalidRequest(f"{row.base}/{row.quote} already has a rate effective at "
                             f"{row.effective_at.isoformat()}", param="effective_at", code="rate_exists")
    return ExchangeRate.objects.create(base=row.base, quote=row.quote, rate=row.rate, source=source,
                                       effective_at=row.effective_at, created_at=clock.now())
