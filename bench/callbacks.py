"""callback ingestion: Daraja STK callbacks POSTed to /hooks/daraja/…, processed until every one is applied.

What is measured, end to end: from the first callback POST until every callback is applied, for K attempts
that were waiting for their result. Each callback is stored raw with its processing job in one transaction
(the web request, answered with Daraja's ack), then a db_worker process verifies it (Daraja signs nothing, so
this is an STK query to the simulator that must agree), parses it, deduplicates it, applies the result to the
attempt and the payment under row locks, posts CHARGE (and FEE, if any) and records `payment.succeeded`,
in one transaction. The figure is K / that time; the HTTP ingestion rate alone is reported beside it.

The callbacks are POSTed by a small threaded http.client driver, each exactly once. The K attempts are made
first, untimed, through POST /v1/payments (payer scenario 004: the simulated customer pays but the simulator
sends no callback, so the bench sends it, in Daraja's exact format). The baseline is
pgbench TPC-B with the same number of clients on the same server, run just before.

    .venv/bin/python -m bench.callbacks
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from .common import (
    Children,
    Result,
    clients,
    duration_seconds,
    percentile,
    pgbench_tps,
    tree_cpu_seconds,
    var_dir,
    wait_until_idle,
)
from .create_payment import create_payment_load
from .stack import (
    TASK_WORKERS,
    WEB_THREADS,
    WEB_WORKERS,
    running_stack,
    task_workers_start,
)

CALLBACKS_MAX = int(os.environ.get("BENCH_CALLBACKS_MAX", "4000"))
TARGET_FRACTION = 0.6
WAIT_MAX_SECONDS = 240


def stk_callback(attempt, receipt: str) -> str:
    """The body Daraja POSTs for a paid prompt (PROVIDERS.md 1.5), with the amount written as `100.00`."""
    body = {"Body": {"stkCallback": {
        "MerchantRequestID": attempt.connector_state.get("merchant_request_id", ""),
        "CheckoutRequestID": attempt.gateway_reference, "ResultCode": 0,
        "ResultDesc": "The service request is processed successfully.",
        "CallbackMetadata": {"Item": [
            {"Name": "Amount", "Value": "__amount__"}, {"Name": "MpesaReceiptNumber", "Value": receipt},
            {"Name": "TransactionDate", "Value": 20261125101010}, {"Name": "PhoneNumber", "Value": 254712345004},
        ]}}}}
    return json.dumps(body).replace('"__amount__"', f"{attempt.amount_minor // 100}.00")


def callback_file(account, limit: int = CALLBACKS_MAX) -> tuple[Path, list[str]]:
    """One `path<TAB>body` line per waiting attempt (at most `limit`), for bench/lua/callbacks.lua."""
    from urllib.parse import urlsplit

    from lipwa.merchants.services import callback_url
    from lipwa.payments.models import PaymentAttempt

    path = urlsplit(callback_url(account)).path
    attempts = list(PaymentAttempt.objects.filter(connector_account=account, status="processing")
                    .exclude(gateway_reference="").order_by("created_at")[:limit])
    target = var_dir() / "callbacks.tsv"
    with target.open("w") as out:
        for number, attempt in enumerate(attempts):
            out.write(f"{path}\t{stk_callback(attempt, f'BNC{number:07d}')}\n")
    return target, [attempt.id for attempt in attempts]


def post_callbacks(app_url: str, bodies: Path, *, connections: int) -> dict:
    """POST every prepared callback exactly once over `connections` keep-alive connections (http.client: the
    standard library's client costs the two cores least); returns counts and latencies."""
    import http.client
    from urllib.parse import urlsplit

    items = iter([line.rstrip("\n").split("\t", 1) for line in bodies.read_text().splitlines()])
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    address = urlsplit(app_url)

    def worker() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        while True:
            with lock:
                item = next(items, None)
            if item is None:
                break
            begun = time.perf_counter()
            connection.request("POST", item[0], body=item[1].encode(), headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - begun)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "duration_s": round(elapsed, 3), "statuses": statuses,
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(1000 * percentile(latencies, 0.5), 2),
            "p99_ms": round(1000 * percentile(latencies, 0.99), 2)}


def task_workers_start_for(children: Children, env: dict[str, str]) -> None:
    task_workers_start(children, env, TASK_WORKERS)


def applied_count(attempt_ids: list[str]) -> int:
    from lipwa.payments.models import PaymentAttempt
    from lipwa.webhooks_in.models import InboundWebhook

    succeeded = PaymentAttempt.objects.filter(id__in=attempt_ids, status="succeeded").count()
    processed = InboundWebhook.objects.filter(attempt_id__in=attempt_ids, status="processed").count()
    return min(succeeded, processed)


def main() -> None:
    with running_stack() as stack:
        app_url, raw_key, account, children, env = (stack.app_url, stack.raw_key, stack.account, stack.children,
                                                     stack.env)
        create_payment_load(app_url, raw_key, connections=clients(), seconds=duration_seconds())
        bodies, attempt_ids = callback_file(account)
        baseline = pgbench_tps(client_count=clients(), seconds=duration_seconds())
        task_workers_start_for(children, env)
        wait_until_idle([p.pid for name, p in children.processes if name.startswith("worker-")])
        ingestion: dict = {}
        cpu_before = {name: tree_cpu_seconds(p.pid) for name, p in children.processes}
        started = time.monotonic()
        poster = threading.Thread(target=lambda: ingestion.update(
            post_callbacks(app_url, bodies, connections=clients())))
        poster.start()
        applied = 0
        while time.monotonic() - started < WAIT_MAX_SECONDS:
            applied = applied_count(attempt_ids)
            if applied >= len(attempt_ids):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        poster.join()
        cpu: dict[str, float] = {}
        for name, process in children.processes:
            role = "task_workers" if name.startswith("worker-") else name
            cpu[role] = cpu.get(role, 0.0) + tree_cpu_seconds(process.pid) - cpu_before[name]
    from django.db.models import Count

    from lipwa.ledger.models import Transfer
    from lipwa.webhooks_in.models import InboundWebhook

    rate = applied / elapsed
    ratio = rate / baseline["tps"]
    statuses = dict(InboundWebhook.objects.values_list("status").annotate(n=Count("id")))
    details = {"callbacks": len(attempt_ids), "applied": applied, "elapsed_s": round(elapsed, 2),
               "cpu_ms_per_callback": {role: round(1000 * used / max(applied, 1), 2) for role, used in cpu.items()},
               "ingestion": ingestion, "inbound_statuses": statuses,
               "ledger_transfers": Transfer.objects.count(), "pgbench": baseline, "clients": clients(),
               "web_workers": WEB_WORKERS, "web_threads": WEB_THREADS, "task_workers": TASK_WORKERS}
    Result(name="callback-ingestion", metric="callbacks applied/s (end to end)", value=round(rate, 1), unit="/s",
           baseline=baseline["tps"], baseline_unit="pgbench tps", ratio=round(ratio, 3),
           target=f"≥ {TARGET_FRACTION:.0%} of pgbench", passed=ratio >= TARGET_FRACTION, details=details).emit()


if __name__ == "__main__":
    main()
