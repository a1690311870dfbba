"""Two real worker processes (`db_worker`, as `lipwa run` starts them) with production settings on one
PostgreSQL database share the queued work, and no job runs twice: every merchant webhook is received once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
JOBS = 40
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="several workers share one queue on PostgreSQL (SKIP LOCKED)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def receiver():
    from lipwa.webhooks_out.tests.receiver import Receiver

    server = Receiver()

    def slow_ok(received):
        time.sleep(0.02)  # a real endpoint takes a moment; long enough for both workers to be busy
        return "ok"

    server.policy = slow_ok
    yield server
    server.close()


def _database_url() -> str:
    from django.db import connection

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{connection.settings_dict['NAME']}"  # the test database, which this test has committed to


def _start_worker(worker_id: str, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "LIPWA_", "PROMETHEUS_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", DATABASE_URL=_database_url(),
               LIPWA_SECRET_KEY=settings.SECRET_KEY, LIPWA_ENCRYPTION_KEY=settings.LIPWA_ENCRYPTION_KEY,
               LIPWA_ALLOWED_HOSTS="lipwa.example", LIPWA_VAR_DIR=str(tmp_path), LIPWA_LOG_FORMAT="json")
    log_path = tmp_path / f"{worker_id}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--interval", "0.1",
             "--no-startup-delay", "--worker-id", worker_id],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return process, log_path


def _wait(condition, what: str, deadline: float, logs: list[Path]) -> None:
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.05)


def test_two_workers_share_the_queue_and_run_each_job_once(merchant, receiver, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from lipwa.payments.events import event_record_object
    from lipwa.webhooks_out.models import DeliveryStatus, WebhookDelivery
    from lipwa.webhooks_out.services import webhook_endpoint_create

    deadline = time.monotonic() + 30
    webhook_endpoint_create(merchant=merchant, mode="test", url=receiver.url, enabled_events=["*"])
    workers = [_start_worker(worker_id, tmp_path) for worker_id in ("worker-a", "worker-b")]
    logs = [log for _, log in workers]
    try:
        # Both are polling before any job exists, so neither gets a head start.
        _wait(lambda: all("Starting worker" in log.read_text() for log in logs), "both workers to start",
              deadline, logs)
        events = {event_record_object(merchant_id=merchant.id, mode="test", event_type="payment.succeeded",
                                      obj={"id": f"pay_job_{n:03d}"}).id for n in range(JOBS)}
        jobs = DBTaskResult.objects.filter(task_path__endswith="webhook_delivery_send_task")
        assert jobs.count() == JOBS
        _wait(lambda: not jobs.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists(), f"{JOBS} jobs to finish",
              deadline, logs)
    finally:
        for process, _ in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in workers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    assert set(jobs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    claims = list(jobs.values_list("worker_ids", flat=True))
    assert all(len(worker_ids) == 1 for worker_ids in claims), "a job was claimed more than once"
    share = {worker_id: sum(ids == [worker_id] for ids in claims) for worker_id in ("worker-a", "worker-b")}
    assert share["worker-a"] > 0 and share["worker-b"] > 0, f"one worker did everything: {share}"
    assert sum(share.values()) == JOBS

    # The effects, counted at the receiving end: each event arrived exactly once.
    received = [json.loads(request.body)["id"] for request in receiver.requests]
    assert len(received) == JOBS and set(received) == events, "an event was delivered twice or not at all"
    deliveries = WebhookDelivery.objects.filter(endpoint__merchant=merchant)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    assert set(deliveries.values_list("attempts_count", flat=True)) == {1}
