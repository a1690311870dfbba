"""Run queued tasks in this process until the queue is empty (tests and `lipwa worker --once`)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


class TaskFailed(AssertionError):
    pass


def run_ready_tasks(*, raise_on_failure: bool = True, rounds_max: int = 20) -> int:
    """Drain the queue (tasks enqueued while draining run too); raise if any task failed."""
    before = set(DBTaskResult.objects.failed().values_list("id", flat=True))
    ran = 0
    for _ in range(rounds_max):
        if not DBTaskResult.objects.ready().exists():
            break
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id="inline", excluded_queue_names=[])
        worker.run()
        ran += worker._run_tasks
    failed = DBTaskResult.objects.failed().exclude(id__in=before)
    if raise_on_failure and failed.exists():
        details = "; ".join(f"{r.task_path}: {r.exception_class_path} {r.traceback[-500:]}" for r in failed)
        raise TaskFailed(f"tasks failed: {details}")
    return ran
