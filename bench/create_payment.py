"""create-payment: POST /v1/payments → routing → attempt → STK push to the simulator → 201, on PostgreSQL.

The product runs as production runs it (gunicorn, several workers, production settings); the Daraja simulator
is a process of its own with customers answering at once. The payer's number ends in 004 ("succeeds, no
callback"), so the simulator only accepts the push and the phase measures exactly the create path, without
callback traffic from earlier payments competing for the two cores. wrk drives it with a unique
Idempotency-Key per request (bench/lua/create_payment.lua). The baseline is pgbench's TPC-B with the same
number of clients for the same time on the same server, run just before.

    .venv/bin/python -m bench.create_payment
"""

from __future__ import annotations

import uuid

from .common import (
    Result,
    clients,
    duration_seconds,
    pgbench_tps,
    tree_cpu_seconds,
    wrk_run,
)
from .stack import WEB_THREADS, WEB_WORKERS, running_stack

PHONE = "0712345004"  # scenario 004: accepted, succeeds, no callback
THROUGHPUT_TARGET_FRACTION = 0.5
P99_TARGET_MS = 50.0
WARMUP_SECONDS = 3


def create_payment_load(app_url: str, raw_key: str, *, connections: int, seconds: int) -> dict:
    return wrk_run(url=app_url, script="create_payment.lua", connections=connections, seconds=seconds,
                   script_args=[raw_key, f"bench-{uuid.uuid4().hex[:8]}", PHONE])


def main() -> None:
    with running_stack() as stack:
        app_url, raw_key, children = stack.app_url, stack.raw_key, stack.children
        create_payment_load(app_url, raw_key, connections=clients(), seconds=WARMUP_SECONDS)
        baseline = pgbench_tps(client_count=clients(), seconds=duration_seconds())
        cpu_before = {name: tree_cpu_seconds(p.pid) for name, p in children.processes}
        run = create_payment_load(app_url, raw_key, connections=clients(), seconds=duration_seconds())
        cpu = {name: tree_cpu_seconds(p.pid) - cpu_before[name] for name, p in children.processes}
    from lipwa.payments.models import PaymentAttempt

    accepted = PaymentAttempt.objects.filter(status="processing").exclude(gateway_reference="").count()
    rps = (run["requests"] - run["errors_status"]) / run["duration_s"]
    ratio = rps / baseline["tps"]
    created = max(1, run["requests"] - run["errors_status"])
    details = {**run, "payments_per_s": round(rps, 1), "attempts_accepted_by_simulator_total": accepted,
               "cpu_ms_per_payment": {name: round(1000 * seconds / created, 2) for name, seconds in cpu.items()},
               "pgbench": baseline, "clients": clients(), "web_workers": WEB_WORKERS, "web_threads": WEB_THREADS}
    Result(name="create-payment", metric="payments/s (HTTP 201)", value=round(rps, 1), unit="/s",
           baseline=baseline["tps"], baseline_unit="pgbench tps", ratio=round(ratio, 3),
           target=f"≥ {THROUGHPUT_TARGET_FRACTION:.0%} of pgbench, p99 ≤ {P99_TARGET_MS:g} ms",
           passed=ratio >= THROUGHPUT_TARGET_FRACTION and run["p99_ms"] <= P99_TARGET_MS, details=details).emit()


if __name__ == "__main__":
    main()
