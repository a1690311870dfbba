"""Tasks left RUNNING by a worker that died are closed as FAILED after LIPWA_TASK_ABANDONED_SECONDS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock

pytestmark = pytest.mark.django_db


def _claimed(task, *, ago: timedelta, worker: str = "worker-1") -> DBTaskResult:
    """What db_worker leaves when it is killed after claiming a task: RUNNING, started, never finished."""
    row = DBTaskResult.objects.get(id=task.enqueue().id)
    row.claim(worker)
    DBTaskResult.objects.filter(id=row.id).update(started_at=clock.now() - ago)
    return DBTaskResult.objects.get(id=row.id)


def test_only_tasks_running_longer_than_the_limit_are_marked_failed(settings):
    from lipwa.ops.abandoned import EXCEPTION_PATH, tasks_abandoned_reap
    from lipwa.ops.tasks import worker_heartbeat

    settings.LIPWA_TASK_ABANDONED_SECONDS = 3600
    dead = _claimed(worker_heartbeat, ago=timedelta(seconds=3601), worker="host-a-123")
    alive = _claimed(worker_heartbeat, ago=timedelta(seconds=3500))
    waiting = DBTaskResult.objects.get(id=worker_heartbeat.enqueue().id)

    assert tasks_abandoned_reap() == 1
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED and dead.exception_class_path == EXCEPTION_PATH
    assert dead.finished_at is not None
    assert "host-a-123" in dead.traceback and "stopped while running it" in dead.traceback
    assert DBTaskResult.objects.get(id=alive.id).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(id=waiting.id).status == TaskResultStatus.READY
    assert tasks_abandoned_reap() == 0  # once


def test_the_running_gauge_comes_down_once_the_dead_task_is_reaped(settings, client):
    from lipwa.ops.abandoned import tasks_abandoned_reap
    from lipwa.ops.tasks import worker_heartbeat

    settings.LIPWA_TASK_ABANDONED_SECONDS = 60
    _claimed(worker_heartbeat, ago=timedelta(minutes=5))

    def running() -> float:
        text = client.get("/metrics").content.decode()
        return float(next(line.split()[-1] for line in text.splitlines() if line.startswith("lipwa_tasks_running ")))

    assert running() == 1
    tasks_abandoned_reap()
    assert running() == 0


def test_the_scheduler_queues_the_reaper_and_the_worker_runs_it(settings, run_tasks, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # The worker closes connections whose autocommit differs from the settings, as it is inside a test's
    # transaction; here the tasks run in that transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    from lipwa.ops.scheduler import enqueue_periodic
    from lipwa.ops.tasks import worker_heartbeat

    settings.LIPWA_TASK_ABANDONED_SECONDS = 60
    dead = _claimed(worker_heartbeat, ago=timedelta(minutes=2))
    assert "lipwa.ops.tasks.tasks_abandoned_reap_due" in enqueue_periodic()
    run_tasks(raise_on_failure=False)
    assert DBTaskResult.objects.get(id=dead.id).status == TaskResultStatus.FAILED
