"""cProfile the in-process payment life (SQLite embedded): where the CPU of one payment goes, by function.

    .venv/bin/python -m bench.profile_inprocess [payments]        # services: create + confirm (SQLite embedded)
    .venv/bin/python -m bench.profile_inprocess api [payments]    # POST /v1/payments through the whole middleware

Runs `payment_create` + `payment_confirm_offline` for a bank transfer, as `bench.sqlite_embedded` does (or, with
`api`, Django's test client POSTing bank-transfer payments with an API key and a fresh Idempotency-Key each,
so the middleware, authentication, idempotency record and presenter are measured without a network or a
gateway) under cProfile after a warm-up, and prints the functions with the largest cumulative and own time,
plus the SQL statements of one operation and the CPU per operation measured without the profiler.
BENCH_RATE_LIMITS=1 keeps the rate limits on (counted in the table lipwa_ratelimit_counter, as without Redis),
which the HTTP benchmarks switch off.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import time

from .common import PYTHON, ROOT, django_setup, lipwa_env, var_dir


def main() -> None:
    api = len(sys.argv) > 1 and sys.argv[1] == "api"
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    count = int(numbers[0]) if numbers else 300
    directory = var_dir() / "sqlite-profile"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    env = lipwa_env(database_url=None, LIPWA_VAR_DIR=str(directory), LIPWA_LOG_LEVEL="WARNING")
    if os.environ.get("BENCH_RATE_LIMITS") == "1":
        env.update(LIPWA_RATE_LIMIT_PER_KEY="100000000", LIPWA_RATE_LIMIT_PER_IP="100000000")
    subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    django_setup(env)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import api_key_create, connector_account_create, merchant_create
    from lipwa.payments.offline import payment_confirm_offline
    from lipwa.payments.services import payment_create

    merchant = merchant_create(name="Profile merchant")
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))

    _, raw_key = api_key_create(merchant=merchant, mode="test")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_HOST="127.0.0.1")

    def one_api(number: int) -> None:
        response = client.post("/v1/payments", content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"k-{number}",
                               data={"amount": 250000, "currency": "KES", "method": "bank_transfer",
                                     "merchant_reference": f"order-{number}"})
        assert response.status_code == 201, response.content

    def one_services(number: int) -> None:
        payment = payment_create(merchant=merchant, mode="test", amount=250000, currency="KES",
                                 method="bank_transfer", merchant_reference=f"order-{number}")
        payment_confirm_offline(payment_id=payment.id, operator="bench", evidence={"reference": f"BNK{number:09d}"})

    one = one_api if api else one_services

    for number in range(50):
        one(number)
    with CaptureQueriesContext(connection) as queries:
        one(10_000)
    print(f"SQL statements per {'request' if api else 'payment life'}: {len(queries.captured_queries)}")
    for query in queries.captured_queries:
        print("   ", query["sql"][:160])
    cpu_started = time.process_time()
    for number in range(20_000, 20_000 + count):
        one(number)
    print(f"CPU per operation, unprofiled: {1000 * (time.process_time() - cpu_started) / count:.2f} ms")
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(100, 100 + count):
        one(number)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\n{count} operations; {stats.total_tt * 1000 / count:.2f} ms each (profiled)")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
