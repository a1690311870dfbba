"""merchant webhook delivery: queued deliveries sent by the real worker path to a local receiver.

With the db_worker processes already waiting on the `webhooks` queue, K events are recorded in one
transaction (or BENCH_EVENTS_PER_TRANSACTION at a time) through `event_record_object` (the event log's own
path), so each queues its delivery, joining the endpoint's send task while one is queued and not started,
as in production. The workers run
`webhook_delivery_send_task` for every batch: claim by token, load the deliveries, decrypt the endpoint's
signing secret once, sign, POST concurrently over pooled keep-alive connections, record the attempts and the
endpoint's last success together under row locks. The figure is K / the time from the first commit until
every delivery is `succeeded`; the receiver (bench/receiver.py, asyncio) verifies every signature.

With one event per transaction the events are recorded one after another by this one process, which may be
slower than the workers: then the rate is the recording rate (`recorded_per_s`), the workers pick each task
up after a few deliveries joined it, and their CPU includes idle polling (reported apart, measured before
the run: `worker_idle_cpu_ms_per_s`).

    .venv/bin/python -m bench.webhook_delivery
"""

from __future__ import annotations

import multiprocessing
import os
import time

import httpx

from .common import Children, Result, django_setup, free_port, tree_cpu_seconds, wait_for_http, wait_until_idle
from .stack import TASK_WORKERS, migrate_fresh, stack_env, task_workers_start

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "6000"))
TARGET_PER_SECOND = 1000
WAIT_MAX_SECONDS = 240
IDLE_SAMPLE_SECONDS = 2.0
# Events per transaction (default: all in one). 1 is the production shape, every event its own payment's:
# its delivery joins the endpoint's queued send task, or queues one when none is waiting.
EVENTS_PER_TRANSACTION = int(os.environ.get("BENCH_EVENTS_PER_TRANSACTION", "0")) or DELIVERIES
# Processes recording the events side by side (each its share, one after another), like several web workers.
WRITERS = max(1, int(os.environ.get("BENCH_WRITERS", "1")))


def record_events(merchant_id: str, numbers: range) -> float | None:
    """Record the events; returns the moment the first transaction committed."""
    from django.db import transaction

    from lipwa.payments.events import event_record_object

    first_commit = None
    for first in range(numbers.start, numbers.stop, EVENTS_PER_TRANSACTION):
        with transaction.atomic():
            for number in range(first, min(numbers.stop, first + EVENTS_PER_TRANSACTION)):
                event_record_object(merchant_id=merchant_id, mode="test", event_type="payout.succeeded",
                                    obj={"id": f"po_bench{number:08d}", "object": "payout", "amount": 10000,
                                         "currency": "KES", "status": "succeeded"})
        first_commit = first_commit or time.monotonic()
    return first_commit


def record_events_in_parallel(merchant_id: str, count: int) -> tuple[float, float]:
    """Record `count` events in WRITERS processes; returns when recording started (the first commit, with one
    writer) and when the last writer finished."""
    if WRITERS == 1:
        return record_events(merchant_id, range(count)), time.monotonic()
    from django.db import connections

    connections.close_all()  # each writer opens its own; a forked connection must not be shared
    context = multiprocessing.get_context("fork")
    share = -(-count // WRITERS)
    writers = [context.Process(target=_writer, args=(merchant_id, range(start, min(count, start + share))))
               for start in range(0, count, share)]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    if any(writer.exitcode != 0 for writer in writers):
        raise RuntimeError("a writer process failed; see its traceback above")
    return started, time.monotonic()


def _writer(merchant_id: str, numbers: range) -> None:
    from django.db import connections

    try:
        record_events(merchant_id, numbers)
    finally:
        connections.close_all()


def main() -> None:
    app_port, receiver_port = free_port(), free_port()
    env = stack_env(app_port)
    migrate_fresh(env)
    django_setup(env)
    from django_tasks_db.models import DBTaskResult

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
        idle_before = sum(tree_cpu_seconds(pid) for pid in workers)
        time.sleep(IDLE_SAMPLE_SECONDS)
        cpu_before = sum(tree_cpu_seconds(pid) for pid in workers)
        idle_cpu_per_s = (cpu_before - idle_before) / IDLE_SAMPLE_SECONDS
        started, last_commit = record_events_in_parallel(merchant.id, DELIVERIES)
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
    send_tasks = DBTaskResult.objects.filter(task_path__endswith=".webhook_delivery_send_task").count()
    recording_s = last_commit - started
    details = {"deliveries": queued, "succeeded": done, "elapsed_s": round(elapsed, 2),
               "receiver": stats, "task_workers": TASK_WORKERS, "events_per_transaction": EVENTS_PER_TRANSACTION,
               "writers": WRITERS,
               "recorded_per_s": round(queued / recording_s, 1) if EVENTS_PER_TRANSACTION < queued else None,
               "send_tasks": send_tasks, "deliveries_per_task": round(queued / max(send_tasks, 1), 1),
               "worker_cpu_ms_per_delivery": round(1000 * (workers_cpu - cpu_before) / max(done, 1), 2),
               "worker_idle_cpu_ms_per_s": round(1000 * idle_cpu_per_s, 1),
               # An estimate: as if the workers had polled as often as while idle before the run.
               "worker_cpu_ms_per_delivery_less_idle": round(
                   1000 * max(workers_cpu - cpu_before - idle_cpu_per_s * elapsed, 0) / max(done, 1), 2)}
    Result(name="webhook-delivery", metric="deliveries/s (worker → receiver)", value=round(rate, 1), unit="/s",
           baseline=TARGET_PER_SECOND, baseline_unit="deliveries/s required", ratio=round(rate / TARGET_PER_SECOND, 3),
           target=f"≥ {TARGET_PER_SECOND}/s", passed=rate >= TARGET_PER_SECOND, details=details).emit()


if __name__ == "__main__":
    main()
