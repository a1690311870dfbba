"""A large M-Pesa statement for `statement_import`: read and validated by the engine, then handed to the
import as `StatementLine`s in file order, exactly as the parser would give them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta, timezone

from ..parsers.base import StatementFile, StatementLine
from . import mpesa_csv
from .engine import session
from .matching import EPOCH

# Below this the parser is about as quick as starting the engine (8 MiB is some 50,000 lines).
BULK_BYTES_MIN = 8 * 1024 * 1024
FETCH_ROWS = 5000
_EAT = timezone(timedelta(minutes=mpesa_csv.spec.EAT_OFFSET_MINUTES))


def mpesa_lines(file: StatementFile, *, currency: str | None) -> Iterator[StatementLine] | None:
    """The lines, or None to leave the file to the parser (small, or a shape the engine does not vouch for).
    A bad row raises StatementParseError as the parser words it, before any line is returned."""
    if file.size < BULK_BYTES_MIN:
        return None
    connection = session()
    try:
        with tempfile.NamedTemporaryFile(prefix="lipwa-statement-", suffix=".csv") as copy:
            file.seek(0)
            shutil.copyfileobj(file, copy, 1024 * 1024)
            copy.flush()
            if not mpesa_csv.read(connection, copy.name, currency=currency):
                connection.close()
                return None
            mpesa_csv.raw_lines(connection, copy.name)
    except BaseException:
        connection.close()
        raise
    return _stream(connection)


def _stream(connection) -> Iterator[StatementLine]:
    try:
        cursor = connection.execute(
            "SELECT lines.line_number, reference, amount_minor, currency, direction, booked_us, counterparty, "
            "description, payer_reference, balance_minor, raw FROM lines JOIN raw_lines USING (line_number) "
            "ORDER BY ord")
        while rows := cursor.fetchmany(FETCH_ROWS):
            for row in rows:
                yield StatementLine(
                    line_number=row[0], reference=row[1], amount_minor=row[2], currency=row[3], direction=row[4],
                    booked_at=(EPOCH + timedelta(microseconds=row[5])).astimezone(_EAT), counterparty=row[6],
                    description=row[7], payer_reference=row[8], balance_minor=row[9], raw=row[10])
    finally:
        connection.close()
