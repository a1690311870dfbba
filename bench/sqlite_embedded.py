"""SQLite embedded mode: whole payments through lipwa's services, in-process, on a SQLite file in WAL mode.

One payment here is its full life, as `make run` would do it without a gateway: `payment_create` for a bank
transfer (validation, routing, the payment, its attempt and the LPW reference, `payment.created` and
`payment.requires_action` events), then `payment_confirm_offline` with the bank's evidence (the attempt and the
payment succeed, CHARGE (and FEE, if any) is posted, `payment.succeeded` is recorded), each state change
in its own transaction, exactly as the API and the reconciliation would call them. No HTTP: the services are
called directly, from one thread (SQLite has one writer), for a fixed time.

    .venv/bin/python -m bench.sqlite_embedded
"""

from __future__ import annotations

import shutil
import subprocess
import time

from .common import PYTHON, ROOT, Result, django_setup, duration_seconds, lipwa_env, percentile, var_dir

TARGET_PER_SECOND = 300


def main() -> None:
    directory = var_dir() / "sqlite"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    env = lipwa_env(database_url=None, LIPWA_VAR_DIR=str(directory), LIPWA_LOG_LEVEL="WARNING")
    subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    django_setup(env)
    from django.db import connection

    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create, merchant_create
    from lipwa.payments.offline import payment_confirm_offline
    from lipwa.payments.services import payment_create

    merchant = merchant_create(name="Benchmark merchant")
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]

    def one(number: int) -> None:
        payment = payment_create(merchant=merchant, mode="test", amount=250000, currency="KES",
                                 method="bank_transfer", merchant_reference=f"order-{number}")
        paid = payment_confirm_offline(payment_id=payment.id, operator="bench",
                                       evidence={"reference": f"BNK{number:09d}"})
        assert paid.status == "succeeded", paid.status

    for number in range(50):  # warm-up: imports, connections, caches
        one(number)
    latencies: list[float] = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + duration_seconds()
    number = 1000
    while time.perf_counter() < deadline:
        begun = time.perf_counter()
        one(number)
        latencies.append(time.perf_counter() - begun)
        number += 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rate = len(latencies) / elapsed
    latencies.sort()
    from lipwa.ledger.models import Transfer

    details = {"payments": len(latencies), "elapsed_s": round(elapsed, 2), "journal_mode": journal,
               "cpu_ms_per_payment": round(1000 * cpu / len(latencies), 2),
               "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
               "p95_ms": round(1000 * percentile(latencies, 0.95), 2),
               "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
               "ledger_transfers": Transfer.objects.count(), "database": str(directory / "lipwa.sqlite3")}
    Result(name="sqlite-embedded", metric="payments/s (create + confirm, in-process)", value=round(rate, 1),
           unit="/s", baseline=TARGET_PER_SECOND, baseline_unit="payments/s required",
           ratio=round(rate / TARGET_PER_SECOND, 3), target=f"≥ {TARGET_PER_SECOND}/s",
           passed=rate >= TARGET_PER_SECOND, details=details).emit()


if __name__ == "__main__":
    main()
