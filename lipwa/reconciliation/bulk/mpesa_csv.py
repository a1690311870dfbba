"""An M-Pesa organisation statement CSV read and validated by the engine into its `lines` table.

The pure parser (`parsers.mpesa_csv`) is the specification. The engine reads the file with every column as
text and validates with vectorised expressions that accept exactly what the parser accepts in its common
forms (zero-padded times, plain amounts). A row it cannot vouch for is handed to the parser alone: the
parser's error is raised with the row's line number, and if the parser accepts the row after all the whole
file is left to the parser (`read` returns False). Files the engine could number differently from the parser
(not ASCII, a line break inside a quoted cell, a blank line, a lone carriage return) are left to it too.
"""

from __future__ import annotations

import csv
import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

import duckdb

from ..parsers import mpesa_csv as spec
from ..parsers.base import CHUNK_BYTES, StatementParseError, exponent_of
from ..parsers.csvrows import HEADER_SEARCH_ROWS, check_header
from .engine import strip_sql

SOURCE = ("read_csv(?, skip = ?, header = false, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
          "strict_mode = true, null_padding = false, columns = ?)")
EAT_OFFSET_US = spec.EAT_OFFSET_MINUTES * 60 * 1_000_000
AMOUNT_DIGITS_MAX = 17  # integer digits the engine converts; longer amounts are left to the parser


def read(connection: duckdb.DuckDBPyConnection, path: str, *, currency: str | None = None) -> bool:
    """Load the statement at `path` into the `lines` view (ord = id = line number). False when the file
    is one for the parser; StatementParseError, as the parser words it, for a bad row."""
    currency = currency or "KES"
    exponent = exponent_of(currency)
    with open(path, "rb") as file:
        found = _header(file)
    if found is None:
        return False
    if isinstance(found, StatementParseError):
        if _shape_of(path) is None:
            return False  # the parser may find something else wrong first (an encoding)
        raise found
    header, header_line = found
    columns = {f"c{index}": "VARCHAR" for index in range(1, len(header) + 1)}
    # The file's shape is checked by Python while the engine reads it (the engine does not hold the GIL),
    # assuming the usual: no control characters, so trimming spaces is stripping.
    with ThreadPoolExecutor(max_workers=1) as pool:
        shape = pool.submit(_shape_of, path)
        try:
            connection.execute(_checked_sql(header, SOURCE, exponent, currency, False), [path, header_line, columns])
        except duckdb.Error:
            return False  # the parser reads the file and words what is wrong with it
        if shape.result() is None:
            return False
        physical_lines, controls = shape.result()
    if controls:
        connection.execute(_checked_sql(header, SOURCE, exponent, currency, True), [path, header_line, columns])
    if connection.execute("SELECT count(*) FROM checked").fetchone()[0] != physical_lines - header_line:
        return False  # a blank line or a quoted line break: line numbers would differ
    first = header_line + 1
    bad = connection.execute(f"SELECT min(rowid) + {first} FROM checked WHERE completed AND NOT ok").fetchone()[0]
    if bad is not None:
        _raise_for(path, header_line, bad, currency)
        return False
    connection.execute(f"CREATE OR REPLACE TEMP VIEW lines AS SELECT rowid + {first} AS ord, rowid + {first} AS id, "
                       f"rowid + {first} AS line_number, * EXCLUDE (completed, ok) FROM checked WHERE completed")
    return True


def raw_lines(connection: duckdb.DuckDBPyConnection, path: str) -> None:
    """The `raw_lines` view (line_number, raw) of a file `read` accepted: each row's cells joined by commas,
    as the parser keeps them for storage. Read again rather than kept by `read`, which matching does not
    need it for."""
    with open(path, "rb") as file:
        header, header_line = _header(file)
    columns = {f"c{index}": "VARCHAR" for index in range(1, len(header) + 1)}
    joined = ", ',', ".join(f"coalesce({name}, '')" for name in columns)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE raw_text AS SELECT concat({joined}) AS raw FROM {SOURCE}",
                       [path, header_line, columns])
    connection.execute(f"CREATE OR REPLACE TEMP VIEW raw_lines AS SELECT rowid + {header_line + 1} AS line_number, "
                       "raw FROM raw_text")


CONTROLS = bytes([9, 11, 12, 28, 29, 30, 31])  # what str.strip() removes besides spaces and line ends


def _shape_of(path: str) -> tuple[int, bool] | None:
    with open(path, "rb") as file:
        return _shape(file)


def _shape(file: BinaryIO) -> tuple[int, bool] | None:
    """(physical lines, any control character?), or None unless the file is ASCII with \n or \r\n line
    ends only."""
    newlines = carriage_returns = crlf = 0
    controls = False
    last = b""
    while chunk := file.read(CHUNK_BYTES):
        if not chunk.isascii() or b"\x00" in chunk or _quote_next_to_blank(last + chunk):
            return None
        newlines += chunk.count(b"\n")
        carriage_returns += chunk.count(b"\r")
        crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
        controls = controls or len(chunk.translate(None, CONTROLS)) != len(chunk)
        last = chunk[-1:]
    if carriage_returns != crlf:
        return None
    return newlines + (last not in (b"\n", b"")), controls


def _quote_next_to_blank(data: bytes) -> bool:
    """A quote beside a space or tab (` "a"`, `"a" ,`): Python's csv and the engine read those differently."""
    return any(pair in data for pair in (b' "', b'" ', b'\t"', b'"\t'))


def _header(file: BinaryIO) -> tuple[list[str], int] | StatementParseError | None:
    """The column row and its line, found and checked by the parser's own rules: its error, or None for a
    file to leave to the parser."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        for row in itertools.islice(reader, HEADER_SEARCH_ROWS):
            if reader.line_num > HEADER_SEARCH_ROWS:
                return None
            if any(cell.strip() == "Receipt No." for cell in row):
                header = [cell.strip() for cell in row]
                try:
                    check_header(header, reader.line_num, spec.COLUMNS, spec.REQUIRED)
                except StatementParseError as exc:
                    return exc
                return header, reader.line_num
    except (csv.Error, UnicodeDecodeError):
        return None
    finally:
        text.detach()
    return None


AMOUNT_PATTERN = "^([+-]?)([0-9]+)(?:[.]([0-9]+))?$"  # parse_amount's, its parts captured


def _amount_parts_sql(cleaned: str) -> str:
    """One pass of the pattern over `cleaned` (the stripped cell without spaces and thousands separators):
    sign, whole and fraction, all "" when it is not an amount."""
    return f"regexp_extract({cleaned}, '{AMOUNT_PATTERN}', ['sign', 'whole', 'fraction'])"


def _amount_sql(parts: str, exponent: int, *, signed: bool) -> tuple[str, str]:
    """(minor units, does parse_amount read it the same) from `_amount_parts_sql`'s struct."""
    whole, fraction, sign = f"{parts}.whole", f"{parts}.fraction", f"{parts}.sign"
    # Bounded so that the whole text stays within parse_amount's AMOUNT_CHARS_MAX.
    valid = (f"({whole} <> '' AND length({whole}) <= {AMOUNT_DIGITS_MAX} AND length({fraction}) <= 20"
             f" AND rtrim(substr({fraction}, {exponent + 1}), '0') = ''"
             + ("" if signed else f" AND {sign} <> '-'") + ")")
    scaled = f"CAST({whole} AS BIGINT) * {10 ** exponent}"
    if exponent:
        scaled += f" + CAST(rpad(substr({fraction}, 1, {exponent}), {exponent}, '0') AS BIGINT)"
    return f"(CASE WHEN {valid} THEN (CASE WHEN {sign} = '-' THEN -1 ELSE 1 END) * ({scaled}) END)", valid


def _time_sql(text: str) -> str:
    """Microseconds since the epoch (UTC) for the zero-padded forms the parser reads without strptime."""
    parts = []
    for fmt, pattern in (("%d-%m-%Y %H:%M:%S", "[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"),
                         ("%Y-%m-%d %H:%M:%S", "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")):
        parsed = f"try_strptime({text}, '{fmt}')"
        # strptime refuses an impossible date or time as Python does; a year 0 it reads as 1 BC.
        parts.append(f"WHEN regexp_full_match({text}, '{pattern}') AND {parsed} >= TIMESTAMP '0001-01-01' "
                     f"THEN epoch_us({parsed}) - {EAT_OFFSET_US}")
    return f"(CASE {' '.join(parts)} END)"


def _checked_sql(header: list[str], source: str, exponent: int, currency: str, controls: bool) -> str:
    """Every row of the file, in its order (the table's rowid is the row's position), with its values and
    whether the parser would read it the same. Each step computes its expressions once."""
    position = {name: f"c{index}" for index, name in enumerate(header, start=1)}

    def cell(name: str) -> str:
        return strip_sql(position[name], controls=controls) if name in position else "''"

    def cleaned(name: str) -> str:
        return f"replace(replace({cell(name)}, ' ', ''), ',', '')"

    paid_amount, _ = _amount_sql("paid_in_parts", exponent, signed=False)
    withdrawn_amount, _ = _amount_sql("withdrawn_parts", exponent, signed=True)
    balance_amount, balance_valid = _amount_sql("balance_parts", exponent, signed=True)
    quoted_currency = currency.replace("'", "''")
    return f"""
CREATE OR REPLACE TEMP TABLE checked AS
SELECT reference, '' AS external_reference, payer_reference, description, counterparty,
       CAST(amount AS BIGINT) AS amount_minor, '{quoted_currency}' AS currency,
       CASE WHEN paid_in <> '' THEN 'credit' ELSE 'debit' END AS direction, 'entry' AS kind, booked_us,
       false AS date_only, CAST(NULL AS BIGINT) AS fee_minor,
       CASE WHEN balance <> '' AND balance_ok THEN balance_minor END AS balance_minor, completed,
       reference <> '' AND (paid_in <> '') <> (withdrawn <> '') AND amount IS NOT NULL AND amount <> 0
           AND booked_us IS NOT NULL AND (balance = '' OR balance_ok) AS ok
FROM (
    SELECT *, CASE WHEN paid_in <> '' THEN {paid_amount} ELSE abs({withdrawn_amount}) END AS amount,
           {_time_sql("completed_at")} AS booked_us, {balance_valid} AS balance_ok, {balance_amount} AS balance_minor
    FROM (
        SELECT lower({cell('Transaction Status')}) = 'completed' AS completed,
               {cell('Receipt No.')} AS reference, {cell('A/C No.')} AS payer_reference,
               {cell('Details')} AS description,
               {strip_sql(f"split_part({cell('Other Party Info')}, ' - ', 1)", controls=controls)} AS counterparty,
               {cell('Paid In')} AS paid_in, {_amount_parts_sql(cleaned('Paid In'))} AS paid_in_parts,
               {cell('Withdrawn')} AS withdrawn, {_amount_parts_sql(cleaned('Withdrawn'))} AS withdrawn_parts,
               {cell('Balance')} AS balance, {_amount_parts_sql(cleaned('Balance'))} AS balance_parts,
               {cell('Completion Time')} AS completed_at
        FROM {source}))
"""


def _raise_for(path: str, header_line: int, line_number: int, currency: str) -> None:
    """Run the parser on the header and the one row the engine doubts; its error, at the row's line."""
    with open(path, "rb") as file:
        for number, text in enumerate(file, start=1):
            if number == header_line:
                header = text
            if number == line_number:
                single = header + text
                break
    try:
        list(spec.iter_lines(single.removeprefix(b"\xef\xbb\xbf"), currency=currency))
    except StatementParseError as exc:
        raise StatementParseError(line_number, exc.column, exc.message) from None
