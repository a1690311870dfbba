"""`matching.match_lines` for a large statement, rule 1 (by reference, nearly every line) in the engine.

The engine holds two tables: `lines` (ord, id, reference, external_reference, amount_minor, currency,
direction, kind, and for lines read from a file also counterparty, payer_reference, description, booked_us,
date_only, fee_minor) and `payments` (ord, id, amount_minor, currency, receipt_number, gateway_reference, and
for payments read from a file also created_us, phone, fee_minor, succeeded_us). `ord` is the position in the
order `match_lines` would see them, which decides every tie exactly as the pure function does: the first
payment to claim a reference keeps it, the first line to reach a payment takes it.

What rule 1 leaves (a few percent of a real statement) goes to `matching.match_unreferenced`, the pure rules
2 and 3 themselves, so those need no second implementation.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from .. import matching
from ..matching import LineView, MatchResult, PaymentView
from .engine import session, strip_sql

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FETCH_ROWS = 50_000

_KEY = {name: f"upper({strip_sql(name, controls=False)})" for name in
        ("receipt_number", "gateway_reference", "lines.reference", "lines.external_reference")}
# The payment a reference finds is the first to claim it (lowest rank: payments in order, the receipt number
# before the gateway reference); a line's own reference is looked up before its external one. Joining lines
# to every claim and keeping the best per line is the same as keeping the first claim per key, without
# grouping two million strings.
_PAIRS = f"""
CREATE OR REPLACE TEMP TABLE reference_pairs AS
WITH keyed AS (
    SELECT currency, {_KEY["receipt_number"]} AS key, ord * 2 AS rank, ord FROM payments
    UNION ALL
    SELECT currency, {_KEY["gateway_reference"]}, ord * 2 + 1, ord FROM payments),
claims AS (
    SELECT lines.ord AS lord, keyed.ord AS pord, keyed.rank AS rank FROM lines
    JOIN keyed ON keyed.currency = lines.currency AND keyed.key = {_KEY["lines.reference"]}
    WHERE lines.direction = 'credit' AND lines.kind <> 'settlement' AND keyed.key <> ''
    -- external:
    UNION ALL
    SELECT lines.ord, keyed.ord, keyed.rank + 1000000000000000 FROM lines
    JOIN keyed ON keyed.currency = lines.currency AND keyed.key = {_KEY["lines.external_reference"]}
    WHERE lines.direction = 'credit' AND lines.kind <> 'settlement' AND keyed.key <> ''
    -- :external
    ),
found AS (SELECT lord, arg_min(pord, rank) AS pord FROM claims GROUP BY lord),
won AS (SELECT pord, min(lord) AS lord FROM found GROUP BY pord)
SELECT won.lord, won.pord, lines.id AS line_id, payments.id AS payment_id,
       lines.amount_minor = payments.amount_minor AS same
FROM won JOIN lines ON lines.ord = won.lord JOIN payments ON payments.ord = won.pord
"""
# Most statements show no external reference (M-Pesa's): the second lookup is then left out.
_PAIRS_REFERENCE_ONLY = _PAIRS[:_PAIRS.index("    -- external:")] + _PAIRS[_PAIRS.index("    -- :external") + 17:]


@dataclass
class BulkMatches:
    """The matches of one run: rule 1's stay in the engine (a million of them) until read in batches."""

    connection: duckdb.DuckDBPyConnection
    reference_count: int
    rest: list[MatchResult]
    _lines: list[LineView] | None = field(default=None, repr=False)
    _payments: list[PaymentView] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return self.reference_count + len(self.rest)

    def by_rule(self) -> dict[str, int]:
        counts = {matching.RULE_REFERENCE: self.reference_count} if self.reference_count else {}
        for result in self.rest:
            counts[result.rule] = counts.get(result.rule, 0) + 1
        return counts

    def batches(self, size: int = FETCH_ROWS) -> Iterator[list[MatchResult]]:
        """Every match in `match_lines`' order, `size` at a time."""
        cursor = self.connection.execute("SELECT lord, pord, line_id, payment_id, same FROM reference_pairs "
                                          "ORDER BY lord")
        while rows := cursor.fetchmany(size):
            yield [self._reference_result(*row) for row in rows]
        if self.rest:
            yield list(self.rest)

    def results(self) -> list[MatchResult]:
        return [result for batch in self.batches() for result in batch]

    def _reference_result(self, lord, pord, line_id, payment_id, same) -> MatchResult:
        if self._lines is not None:
            line_id = self._lines[lord].id
        if self._payments is not None:
            payment_id = self._payments[pord].id
        return MatchResult(line_id, payment_id, matching.RULE_REFERENCE, 100 if same else 80, same)


def match(connection: duckdb.DuckDBPyConnection, *, window_minutes: int = matching.WINDOW_MINUTES_DEFAULT,
          lines: list[LineView] | None = None, payments: list[PaymentView] | None = None) -> BulkMatches:
    """`match_lines` over the engine's `lines` and `payments`. Given the views a table was loaded from (by
    position: `load_lines`, `load_payments`), what rule 1 leaves is taken from them; otherwise it is read
    back from the table."""
    external = connection.execute("SELECT bool_or(external_reference <> '') FROM lines").fetchone()[0]
    connection.execute(_PAIRS if external else _PAIRS_REFERENCE_ONLY)
    reference_count = connection.execute("SELECT count(*) FROM reference_pairs").fetchone()[0]
    if lines is not None:
        left_lines = [lines[row[0]] for row in connection.execute(
            "SELECT ord FROM lines WHERE kind <> 'settlement' AND ord NOT IN (SELECT lord FROM reference_pairs) "
            "ORDER BY ord").fetchall()]
    else:
        left_lines = _left_lines(connection)
    if payments is not None:
        left_payments = [payments[row[0]] for row in connection.execute(
            "SELECT ord FROM payments WHERE ord NOT IN (SELECT pord FROM reference_pairs) ORDER BY ord").fetchall()]
    else:
        left_payments = _left_payments(connection)
    rest = matching.match_unreferenced(left_lines, left_payments, window_minutes=window_minutes)
    return BulkMatches(connection, reference_count, rest, lines, payments)


def _instant(microseconds: int | None) -> datetime | None:
    return None if microseconds is None else EPOCH + timedelta(microseconds=microseconds)


def _left_lines(connection) -> list[LineView]:
    rows = connection.execute(
        "SELECT id, reference, amount_minor, currency, direction, booked_us, counterparty, payer_reference, "
        "description, date_only, external_reference, fee_minor, kind FROM lines WHERE kind <> 'settlement' "
        "AND ord NOT IN (SELECT lord FROM reference_pairs) ORDER BY ord").fetchall()
    return [LineView(id=row[0], reference=row[1], amount_minor=row[2], currency=row[3], direction=row[4],
                     booked_at=_instant(row[5]), counterparty=row[6], payer_reference=row[7], description=row[8],
                     date_only=row[9], external_reference=row[10], fee_minor=row[11], kind=row[12])
            for row in rows]


def _left_payments(connection) -> list[PaymentView]:
    rows = connection.execute(
        "SELECT id, amount_minor, currency, created_us, phone, gateway_reference, receipt_number, fee_minor, "
        "succeeded_us FROM payments WHERE ord NOT IN (SELECT pord FROM reference_pairs) ORDER BY ord").fetchall()
    return [PaymentView(id=row[0], amount_minor=row[1], currency=row[2], created_at=_instant(row[3]), phone=row[4],
                        gateway_reference=row[5], receipt_number=row[6], fee_minor=row[7],
                        succeeded_at=_instant(row[8])) for row in rows]


# -- views already in Python (a reconciliation of stored lines) ----------------------------------------------

def _engine_text(text: str) -> bool:
    """Printable ASCII only: the engine's strip (of spaces) and upper then agree with Python's exactly."""
    return text.isascii() and (text.isprintable() or not text)


def engine_comparable(lines: list[LineView], payments: list[PaymentView]) -> bool:
    texts = [text for line in lines for text in (line.reference, line.external_reference, line.currency,
                                                  line.direction, line.kind)]
    texts += [text for p in payments for text in (p.receipt_number, p.gateway_reference, p.currency)]
    return all(_engine_text(text) for text in texts)


def match_views(lines: list[LineView], payments: list[PaymentView], *,
                window_minutes: int = matching.WINDOW_MINUTES_DEFAULT) -> list[MatchResult]:
    """Exactly `match_lines(lines, payments)`, rule 1 in the engine. Text the engine cannot compare as
    Python does (a non-ASCII or control character in a reference) sends the whole run to `match_lines`."""
    lines = list(lines)
    if not engine_comparable(lines, payments):
        return matching.match_lines(lines, payments, window_minutes=window_minutes)
    connection = session()
    try:
        load_lines(connection, lines)
        load_payments(connection, payments)
        return match(connection, window_minutes=window_minutes, lines=lines, payments=payments).results()
    finally:
        connection.close()


def load_lines(connection, lines: list[LineView]) -> None:
    """The columns rule 1 needs, by position (`engine_comparable` must hold)."""
    _load(connection, "lines",
          {"ord": "BIGINT", "id": "BIGINT", "reference": "VARCHAR", "external_reference": "VARCHAR",
           "amount_minor": "BIGINT", "currency": "VARCHAR", "direction": "VARCHAR", "kind": "VARCHAR"},
          ((index, 0, line.reference, line.external_reference, line.amount_minor, line.currency, line.direction,
            line.kind) for index, line in enumerate(lines)))


def load_payments(connection, payments: list[PaymentView]) -> None:
    _load(connection, "payments",
          {"ord": "BIGINT", "id": "VARCHAR", "amount_minor": "BIGINT", "currency": "VARCHAR",
           "receipt_number": "VARCHAR", "gateway_reference": "VARCHAR"},
          ((index, "", p.amount_minor, p.currency, p.receipt_number, p.gateway_reference)
           for index, p in enumerate(payments)))


def _load(connection, table: str, columns: dict[str, str], rows) -> None:
    """Through a CSV file: without pyarrow or numpy that is the engine's fastest way in."""
    with tempfile.TemporaryDirectory(prefix="lipwa-bulk-") as directory:
        path = os.path.join(directory, f"{table}.csv")
        with open(path, "w", newline="", encoding="ascii") as file:
            csv.writer(file, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        selected = ", ".join(f"coalesce({name}, '') AS {name}" if kind == "VARCHAR" else name
                             for name, kind in columns.items())
        connection.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {selected} FROM read_csv(?, header = false, "
                           "delim = ',', quote = '\"', escape = '\"', auto_detect = false, columns = ?)",
                           [path, columns])
