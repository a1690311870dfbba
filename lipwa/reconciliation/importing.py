"""Statement import: parsed incrementally, stored in batches, all or nothing, never duplicating a line.

The file is read once up front (size, SHA-256, which encodings decode it), then the parser streams lines
from it; lines are stored BATCH_LINES at a time inside one transaction, so a bad line near the end of a
large file still leaves nothing behind, and memory holds a batch plus the set of fingerprints seen.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import islice
from typing import BinaryIO

from django.db import IntegrityError, transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest
from lipwa.common.money import CURRENCY_EXPONENTS
from lipwa.merchants.models import Merchant

from . import models as m
from .bulk import statements as bulk_statements
from .parsers import LINE_READERS, PRESETS, SETTLEMENT, StatementLine, StatementParseError
from .parsers.base import StatementFile, StatementTooLarge

log = logging.getLogger("lipwa.reconciliation")

STATEMENT_BYTES_MAX = 1024 * 1024 * 1024  # a year of a busy paybill is a few hundred MB
BATCH_LINES = 2000
# Where the lines' references are unique: one source per gateway, or the account a bank file names.
GATEWAY_SOURCES = {"mpesa_csv": "mpesa", "mtn_momo_csv": "mtn_momo", "airtel_csv": "airtel",
                   "paystack_csv": "paystack", "paynow_csv": "paynow"}
ProgressHook = Callable[[int, int], None]


def statement_import(*, merchant: Merchant, mode: str, format: str, filename: str,
                     data: bytes | None = None, stream: BinaryIO | None = None, preset: str | None = None,
                     currency: str | None = None, imported_by: str = "system",
                     on_progress: ProgressHook | None = None) -> m.Statement:
    """Parse the file (`data`, or a binary `stream` read incrementally) and store its lines in one
    transaction; any bad line stores nothing. `on_progress(done_bytes, total_bytes)` is called as the parse
    moves through the file (for a CLI progress bar or the dashboard).

    Lines already stored for the same merchant, mode and source (an identical file, or an overlapping period)
    are counted as known and not stored again.
    """
    _check_request(format, preset, currency, data, stream)
    statement_file = _statement_file(data, stream, on_progress)
    try:
        lines = _lines(format, statement_file, currency, preset)
        with transaction.atomic():
            statement = _store(merchant=merchant, mode=mode, format=format, preset=preset or "",
                               currency=currency, filename=filename, file=statement_file, lines=lines,
                               imported_by=imported_by)
    except StatementParseError as exc:
        raise InvalidRequest(f"{filename}: {exc}", param="file", code="statement_invalid") from None
    except IntegrityError:
        raise Conflict("another import of overlapping lines ran at the same time; import again",
                       code="statement_import_conflict") from None
    log.info("statement %s imported: %s lines, %s new", statement.id, statement.lines_in_file, statement.lines_new)
    return statement


def _lines(format: str, statement_file: StatementFile, currency: str | None, preset: str | None
           ) -> Iterator[StatementLine]:
    """A large M-Pesa file is read by the columnar engine (the same lines, tens of times faster); anything
    else, or a file the engine leaves to it, by the format's parser."""
    if format == "mpesa_csv":
        lines = bulk_statements.mpesa_lines(statement_file, currency=currency)
        if lines is not None:
            return lines
    return LINE_READERS[format](statement_file, currency=currency, preset=preset)


def _check_request(format, preset, currency, data, stream) -> None:
    if format not in LINE_READERS:
        raise InvalidRequest(f"unknown format {format!r}; one of {', '.join(LINE_READERS)}", param="format",
                             code="format_unknown")
    if format == "bank_csv" and not preset:
        raise InvalidRequest(f"a bank CSV needs a preset: one of {', '.join(sorted(PRESETS))}", param="preset",
                             code="preset_required")
    if preset is not None and (format != "bank_csv" or preset not in PRESETS):
        raise InvalidRequest(f"preset {preset!r} is not one of {', '.join(sorted(PRESETS))} (bank_csv only)",
                             param="preset", code="preset_unknown")
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        raise InvalidRequest(f"unsupported currency {currency!r}", param="currency", code="currency_not_supported")
    if (data is None) == (stream is None) or (data is not None and not isinstance(data, bytes | bytearray)):
        raise InvalidRequest("give the statement as bytes or as a binary file, not both", param="file",
                             code="file_required")


def _statement_file(data, stream, on_progress) -> StatementFile:
    if data is not None:
        stream = io.BytesIO(bytes(data))
    elif not stream.seekable():
        # A pipe: spooled to disk past 8 MiB, so the first pass can rewind it.
        spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        while chunk := stream.read(1024 * 1024):
            spooled.write(chunk)
        stream = spooled
    try:
        return StatementFile(stream, on_progress=on_progress, bytes_max=STATEMENT_BYTES_MAX)
    except StatementTooLarge:
        raise InvalidRequest(f"the file must be at most {STATEMENT_BYTES_MAX} bytes", param="file",
                             code="file_too_large") from None


def _batches(lines: Iterator[StatementLine]) -> Iterator[list[StatementLine]]:
    while batch := list(islice(lines, BATCH_LINES)):
        yield batch


def _store(*, merchant, mode, format, preset, currency, filename, file: StatementFile, lines, imported_by
           ) -> m.Statement:
    statement: m.Statement | None = None
    seen: set[str] = set()
    count = fresh_count = 0
    start = end = None
    for batch in _batches(lines):
        currency = _check_currency(batch, currency, filename)
        if statement is None:
            statement = _create(merchant, mode, format, preset, _source(format, preset, batch), currency,
                                filename, file, imported_by)
        by_fingerprint = {}
        for line in batch:
            fingerprint = line_fingerprint(line)
            if fingerprint not in seen:
                seen.add(fingerprint)
                by_fingerprint[fingerprint] = line
        known = set(m.StatementLine.objects.filter(merchant=merchant, mode=mode, source=statement.source,
                                                   fingerprint__in=list(by_fingerprint))
                    .values_list("fingerprint", flat=True))
        fresh = {fp: line for fp, line in by_fingerprint.items() if fp not in known}
        m.StatementLine.objects.bulk_create([_row(statement, fp, line) for fp, line in fresh.items()])
        count, fresh_count = count + len(batch), fresh_count + len(fresh)
        start = min([line.booked_at for line in batch] + ([start] if start else []))
        end = max([_end(line) for line in batch] + ([end] if end else []))
    if statement is None:
        if not currency:
            raise InvalidRequest(f"{filename} has no lines and says no currency: give one", param="currency")
        statement = _create(merchant, mode, format, preset, _source(format, preset, []), currency, filename, file,
                            imported_by)
    statement.period_start, statement.period_end = start, end
    statement.lines_in_file, statement.lines_new, statement.lines_known = count, fresh_count, count - fresh_count
    statement.save(update_fields=["period_start", "period_end", "lines_in_file", "lines_new", "lines_known"])
    audit_record(merchant_id=merchant.id, actor=imported_by, action="statement.import", object_type="statement",
                 object_id=statement.id, details={"format": format, "filename": filename, "lines": count,
                                                  "new": fresh_count, "sha256": statement.file_sha256})
    return statement


def _end(line: StatementLine):
    return line.booked_at + (timedelta(days=1) if line.date_only else timedelta())


def _check_currency(batch: list[StatementLine], currency: str | None, filename: str) -> str:
    for line in batch:
        if currency and line.currency != currency:
            raise InvalidRequest(f"{filename}: line {line.line_number} is in {line.currency}, not {currency}",
                                 param="file", code="statement_invalid")
        currency = line.currency
    return currency


def _create(merchant, mode, format, preset, source, currency, filename, file, imported_by) -> m.Statement:
    return m.Statement.objects.create(
        merchant=merchant, mode=mode, format=format, preset=preset, source=source, currency=currency,
        filename=filename[:255], file_sha256=file.sha256, imported_at=clock.now(), imported_by=imported_by[:150])


def _row(statement: m.Statement, fingerprint: str, line: StatementLine) -> m.StatementLine:
    return m.StatementLine(
        statement=statement, merchant_id=statement.merchant_id, mode=statement.mode, source=statement.source,
        fingerprint=fingerprint, line_number=line.line_number, reference=line.reference[:120],
        payer_reference=line.payer_reference[:140], amount_minor=line.amount_minor, currency=line.currency,
        direction=line.direction, counterparty=line.counterparty[:140], booked_at=line.booked_at,
        date_only=line.date_only, description=line.description[:1000], balance_minor=line.balance_minor,
        external_reference=line.external_reference[:120], fee_minor=line.fee_minor, kind=line.kind, raw=line.raw)


def _source(format: str, preset: str | None, lines: list[StatementLine]) -> str:
    """Where references are unique: the gateway, the bank account the file names, or the preset."""
    if format in GATEWAY_SOURCES:
        return GATEWAY_SOURCES[format]
    account = next((line.account for line in lines if line.account), "")
    return f"account:{account}"[:120] if account else f"{format}:{preset or ''}"


def line_fingerprint(line: StatementLine) -> str:
    """The gateway's or bank's reference where there is one (with the direction and amount, because an
    M-Pesa charge row repeats its payment's receipt), else a digest of everything that describes the line."""
    kind = "settlement:" if line.kind == SETTLEMENT else ""
    if line.reference:
        return f"ref:{kind}{line.reference}|{line.direction}|{line.amount_minor}"[:200]
    described = "|".join(str(part) for part in (line.booked_at.isoformat(), line.direction, line.amount_minor,
                                                 line.currency, line.counterparty, line.description,
                                                 line.payer_reference, line.balance_minor))
    return "sha256:" + hashlib.sha256(described.encode()).hexdigest()
