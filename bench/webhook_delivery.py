"""merchant webhook delivery: queued deliveries sent by the real worker path to a local receiver.

With the db_worker processes already waiting on the `webhooks` queue, K events are recorded in one
transaction (or BENCH_EVENTS_PER_TRANSACTION at a time) through `event_record_object` (the event log's own
path), so each queues its delivery, and each batch its send task, as in production. The workers run
`webhook_delivery_send_task` for every batch: claim by token, load the deliveries, decrypt the endpoint's
signing secret once, sign, POST concurrently over pooled keep-alive connections, record the attempts and the
endpoint's last success together under row locks. The figure is K / the time from the first commit until
every delivery is `succeeded`; the receiver (bench/receiver.py, asyncio) verifies every signature.

    .venv/bin/python -m bench.webhook_delivery
"""

from __future__ import annotations

import os
import time

import httpx

from .common import Children, Result, django_setup, free_port, tree_cpu_seconds, wait_for_http, wait_until_idle
from .stack import TASK_WORKERS, migrate_fresh, stack_env, task_workers_start

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "6000"))
TARGET_PER_SECOND = 1000
WAIT_MAX_SECONDS = 240


# Events per transaction (default: all in one). The deliveries of one transaction and endpoint share a send
# task, so 1 measures the other extreme: a task per delivery, as when every event is its own payment's.
EVENTS_PER_TRANSACTION = int(os.environ.get("BENCH_EVENTS_PER_TRANSACTION", "0")) or DELIVERIES


def record_events(merchant, count: int) -> float:
    """Record the events; returns the moment the first transaction committed (the clock starts there)."""
    from django.db import transaction

    from lipwa.payments.events import event_record_object

    first_commit = None
    for first in range(0, count, EVENTS_PER_TRANSACTION):
        with transaction.atomic():
            for number in range(first, min(count, first + EVENTS_PER_TRANSACTION)):
                event_record_object(merchant_id=merchant.id, mode="test", event_type="payout.succeeded",
                                    obj={"id": f"po_bench{number:08d}", "object": "payout", "amount": 10000,
                                         "currency": "KES", "status": "succeeded"})
        first_commit = first_commit or time.monotonic()
    return first_commit


def main() -> None:
    app_port, receiver_port = free_port(), free_port()
    env = stack_env(app_port)
    migrate_fresh(env)
    django_setup(env)
    from lipwa.merchants.services import merchant_create
    from lipwa.webhooks_out.models import WebhookDelivery
    from lipwa.webhooks_out.services import webhook_endpoint_create

    merchant = merchant_create(name="Benchmark merchant")
    _, secret = webhook_endpoint_create(merchant=merchant, mode="test", url=f"http://127.0.0.1:{receiver_port}/hook",
                                        enabled_events=["*"])
    with Children() as children:
        children.start("receiver", [os.sys.executable, "-m", "bench.receiver", str(receiver_port), secret], env)
        wait_for_http(f"http://127.0.0.1:{receiver_port}/stats")
        task_workers_start(children, env, TASK_WORKERS, queue="webhooks")
        workers = [p.pid for name, p in children.processes if name.startswith("worker-")]
        wait_until_idle(workers)
        cpu_before = sum(tree_cpu_seconds(pid) for pid in workers)
        started = record_events(merchant, DELIVERIES)
        queued = WebhookDelivery.objects.count()
        done = 0
        while time.monotonic() - started < WAIT_MAX_SECONDS:
            done = WebhookDelivery.objects.filter(status="succeeded").count()
            if done >= queued:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        workers_cpu = sum(tree_cpu_seconds(pid) for pid in workers)
        stats = httpx.get(f"http://127.0.0.1:{receiver_port}/stats", trust_env=False).json()
    rate = done / elapsed
    details = {"deliveries": queued, "succeeded": done, "elapsed_s": round(elapsed, 2),
               "receiver": stats, "task_workers": TASK_WORKERS, "events_per_transaction": EVENTS_PER_TRANSACTION,
               "worker_cpu_ms_per_delivery": round(1000 * (workers_cpu - cpu_before) / max(done, 1), 2)}
    Result(name="webhook-delivery", metric="deliveries/s (worker → receiver)", value=round(rate, 1), unit="/s",
           baseline=TARGET_PER_SECOND, baseline_unit="deliveries/s required", ratio=round(rate / TARGET_PER_SECOND, 3),
           target=f"≥ {TARGET_PER_SECOND}/s", passed=rate >= TARGET_PER_SECOND, details=details).emit()


if __name__ == "__main__":
    main()
