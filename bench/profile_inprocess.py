"""cProfile the in-process payment life (SQLite embedded): where the CPU of one payment goes, by function.

    .venv/bin/python -m bench.profile_inprocess [payments]

Runs `payment_create` + `payment_confirm_offline` for a bank transfer, as `bench.sqlite_embedded` does, under
cProfile after a warm-up, and prints the functions with the largest cumulative and own time, plus the SQL
statements per payment life.
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import subprocess
import sys

from .common import PYTHON, ROOT, django_setup, lipwa_env, var_dir


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    directory = var_dir() / "sqlite-profile"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    env = lipwa_env(database_url=None, LIPWA_VAR_DIR=str(directory), LIPWA_LOG_LEVEL="WARNING")
    subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    django_setup(env)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create, merchant_create
    from lipwa.payments.offline import payment_confirm_offline
    from lipwa.payments.services import payment_create

    merchant = merchant_create(name="Profile merchant")
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))

    def one(number: int) -> None:
        payment = payment_create(merchant=merchant, mode="test", amount=250000, currency="KES",
                                 method="bank_transfer", merchant_reference=f"order-{number}")
        payment_confirm_offline(payment_id=payment.id, operator="bench", evidence={"reference": f"BNK{number:09d}"})

    for number in range(50):
        one(number)
    with CaptureQueriesContext(connection) as queries:
        one(10_000)
    print(f"SQL statements per payment life: {len(queries.captured_queries)}")
    for query in queries.captured_queries:
        print("   ", query["sql"][:160])
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(100, 100 + count):
        one(number)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\n{count} payment lives; total {stats.total_tt * 1000 / count:.2f} ms per payment (profiled)")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
