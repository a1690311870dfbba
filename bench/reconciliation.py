"""reconciliation: a 1,000,000-line M-Pesa statement against 1,000,000 payments, lipwa against DuckDB.

The data is generated deterministically (a fixed random state) as two CSV files: `payments.csv` (what lipwa's selectors
would load: id, amount, currency, created, phone, gateway reference, receipt number) and `statement.csv` in
the M-Pesa organisation portal's export format. Of the statement lines, 97% carry the receipt number of
their payment, 1% belong to a payment whose callback was lost (no receipt in lipwa: matched by amount, masked
phone and time), 1% are credits lipwa knows nothing of, 1% are withdrawals.

lipwa's side, in a process of its own (so its peak RSS is its own): the payments CSV to `PaymentView`s, then
`matching.match_lines` (all three rules) over the statement streamed through the real parser
(`parsers.mpesa_csv.iter_lines`) as `LineView`s. DuckDB's side, in another process: read both CSVs and join
completed paid-in lines to payments on the receipt number. Both are timed from reading the files to having
the matches; the target is lipwa ≤ 2 × DuckDB with a peak RSS ≤ 1 GB.

    .venv/bin/python -m bench.reconciliation            # both sides, prints the result
    .venv/bin/python -m bench.reconciliation lipwa DIR  # one side alone (also: duckdb DIR)
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from .common import PYTHON, ROOT, Result, peak_rss_mb, var_dir

ROWS = int(os.environ.get("BENCH_RECON_ROWS", "1000000"))
RANDOM_STATE = 20261125
MAX_RATIO = 2.0
MAX_RSS_MB = 1024
EAT = timezone(timedelta(hours=3))
START = datetime(2026, 10, 1, tzinfo=UTC)
PREAMBLE = ["Organization Name:,Benchmark Ltd", "Organization Short Code:,174379",
            "Time Period:,01-10-2026 - 31-10-2026", ""]
HEADER = ["Receipt No.", "Completion Time", "Initiation Time", "Details", "Transaction Status", "Paid In",
          "Withdrawn", "Balance", "Balance Confirmed", "Reason Type", "Other Party Info", "Linked Transaction ID",
          "A/C No."]


def generate(directory: Path, rows: int) -> None:
    """Write payments.csv and statement.csv (deterministic for a given `rows`)."""
    rng = random.Random(RANDOM_STATE)
    directory.mkdir(parents=True, exist_ok=True)
    balance = 0
    with (open(directory / "payments.csv", "w", newline="") as payments_file,
          open(directory / "statement.csv", "w", newline="") as statement_file):
        payments = csv.writer(payments_file, lineterminator="\n")
        statement = csv.writer(statement_file, lineterminator="\n")
        payments.writerow(["id", "amount_minor", "currency", "created_at", "phone", "gateway_reference",
                           "receipt_number"])
        statement_file.write("\n".join(PREAMBLE) + "\n")
        statement.writerow(HEADER)
        for number in range(rows):
            amount = rng.randint(1, 5000) * 100
            created = START + timedelta(seconds=number * 2.5)
            phone = f"2547{rng.randint(0, 99999999):08d}"
            kind = rng.random()
            receipt = f"SK{number:08X}"
            lost_callback = 0.97 <= kind < 0.98
            payments.writerow([f"pay_{number:010d}", amount, "KES", created.isoformat(), phone,
                               f"ws_CO_{number:014d}", "" if lost_callback else receipt])
            booked = (created + timedelta(seconds=rng.randint(5, 90))).astimezone(EAT)
            other = f"{phone[:6]}***{phone[-3:]} - CUSTOMER {number % 997}"
            paid_in, withdrawn = f"{amount / 100:,.2f}", ""
            if kind >= 0.99:  # money out: a B2C payout or a reversal
                paid_in, withdrawn, receipt = "", f"-{amount / 100:,.2f}", f"WD{number:08X}"
                balance -= amount
            elif kind >= 0.98:  # a credit lipwa never saw
                receipt, other = f"ZZ{number:08X}", f"2547{rng.randint(0, 99999999):08d} - WALK IN"
                balance += amount
            else:
                receipt = f"RX{number:08X}" if lost_callback else receipt
                balance += amount
            stamp = booked.strftime("%d-%m-%Y %H:%M:%S")
            statement.writerow([receipt, stamp, stamp, "Pay Bill Online", "Completed", paid_in, withdrawn,
                                f"{balance / 100:.2f}", "true", "Pay Bill Online", other, "", f"ACC{number % 5000}"])


def lipwa_side(directory: Path) -> dict:
    """The product's bulk path: the statement read and validated by `bulk.mpesa_csv.read` (what
    `statement_import` runs for a large M-Pesa file) and matched by `bulk.matching.match` (all three rules,
    the same results as `matching.match_lines`). The payments are loaded into the engine from payments.csv,
    standing in for the `payment_views` selector. Timed: reading both files to having every match; turning
    the matches into Python objects (what writing them to the database starts with) is timed apart."""
    from lipwa.reconciliation.bulk import engine
    from lipwa.reconciliation.bulk import matching as bulk_matching
    from lipwa.reconciliation.bulk import mpesa_csv as bulk_mpesa_csv

    started, cpu_started = time.perf_counter(), _cpu_seconds()
    connection = engine.session()
    connection.execute(f"""
        CREATE TABLE payment_rows AS (
            SELECT id, CAST(amount_minor AS BIGINT) AS amount_minor, currency,
                   epoch_us(CAST(created_at AS TIMESTAMP)) AS created_us, coalesce(phone, '') AS phone,
                   coalesce(gateway_reference, '') AS gateway_reference,
                   coalesce(receipt_number, '') AS receipt_number, 0 AS fee_minor, NULL::BIGINT AS succeeded_us
            FROM read_csv('{directory / "payments.csv"}', header = true, delim = ',', all_varchar = true));
        CREATE VIEW payments AS SELECT rowid AS ord, * FROM payment_rows""")
    loaded = time.perf_counter()
    if not bulk_mpesa_csv.read(connection, str(directory / "statement.csv"), currency="KES"):
        raise SystemExit("the bulk reader left the statement to the line-by-line parser")
    parsed = time.perf_counter()
    matches = bulk_matching.match(connection)
    finished, cpu_finished = time.perf_counter(), _cpu_seconds()
    as_objects = sum(len(batch) for batch in matches.batches())
    objects_done = time.perf_counter()
    lines = connection.execute("SELECT count(*) FROM lines").fetchone()[0]
    payments = connection.execute("SELECT count(*) FROM payments").fetchone()[0]
    return {"seconds": finished - started, "cpu_s": round(cpu_finished - cpu_started, 2),
            "load_payments_s": loaded - started, "parse_s": parsed - loaded,
            "match_s": finished - parsed, "matches_to_python_s": objects_done - finished, "lines": lines,
            "payments": payments, "matches": len(matches), "matches_as_objects": as_objects,
            "by_rule": matches.by_rule(), "peak_rss_mb": peak_rss_mb()}


def duckdb_side(directory: Path) -> dict:
    import duckdb

    started, cpu_started = time.perf_counter(), _cpu_seconds()
    connection = duckdb.connect()
    matches = connection.execute(f"""
        WITH lines AS (
            SELECT "Receipt No." AS receipt FROM read_csv('{directory / "statement.csv"}', skip={len(PREAMBLE)},
                header = true, delim = ',', quote = '"', all_varchar = true)
            WHERE "Transaction Status" = 'Completed' AND "Paid In" <> ''),
        payments AS (SELECT id, receipt_number FROM read_csv('{directory / "payments.csv"}', header = true,
                     delim = ',', all_varchar = true))
        SELECT count(*) FROM lines JOIN payments ON lines.receipt = payments.receipt_number""").fetchone()[0]
    return {"seconds": time.perf_counter() - started, "cpu_s": round(_cpu_seconds() - cpu_started, 2),
            "matches": matches, "peak_rss_mb": peak_rss_mb(),
            "threads": connection.execute("SELECT current_setting('threads')").fetchone()[0]}


def _cpu_seconds() -> float:
    """User + system time of this process, every engine thread included: contention inflates it far less
    than wall time."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def side(name: str, directory: Path) -> dict:
    out = subprocess.run([PYTHON, "-m", "bench.reconciliation", name, str(directory)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    directory = var_dir() / f"reconciliation-{ROWS}"
    if not (directory / "statement.csv").exists():
        started = time.perf_counter()
        generate(directory, ROWS)
        print(f"generated {ROWS} payments and statement lines in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    baseline = side("duckdb", directory)
    lipwa = side("lipwa", directory)
    ratio = lipwa["seconds"] / baseline["seconds"]
    details = {"lipwa": lipwa, "duckdb": baseline, "rows": ROWS,
               "statement_mb": round((directory / "statement.csv").stat().st_size / 2**20, 1)}
    Result(name="reconciliation", metric=f"seconds to reconcile {ROWS:,} lines", value=round(lipwa["seconds"], 2),
           unit="s", baseline=round(baseline["seconds"], 2), baseline_unit="DuckDB join s", ratio=round(ratio, 2),
           target=f"≤ {MAX_RATIO:g}× DuckDB, peak RSS ≤ {MAX_RSS_MB} MB",
           passed=ratio <= MAX_RATIO and lipwa["peak_rss_mb"] <= MAX_RSS_MB, details=details).emit()


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps((lipwa_side if sys.argv[1] == "lipwa" else duckdb_side)(Path(sys.argv[2]))))
    else:
        main()
