"""Tasks whose worker died while running them.

db_worker marks a task RUNNING when it claims it and records the result when it returns. A worker killed in
between (kill -9, OOM, a host lost) leaves the row RUNNING for ever: the queue's "running" gauge never comes
down and nobody learns the task stopped. The work itself is not lost: each of lipwa's tasks is either redone
by a sweep (callbacks, deliveries, syncs, receipts) or ran in one transaction that the crash rolled back.

After `LIPWA_TASK_ABANDONED_SECONDS` (longer than any task runs: gateway calls are bounded by their
timeouts, and a statement import is the longest at a few minutes) such a row is marked FAILED with an
explanation, and the app that owns the task is told, in the same transaction, so it can close its own record
(see `on_abandoned`; the dashboard fails the statement upload and removes its file).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock

log = logging.getLogger("lipwa.ops")

REAP_BATCH = 500
EXCEPTION_PATH = "lipwa.ops.abandoned.TaskAbandoned"

# task path → what to do for one abandoned run of it, given the task's positional and keyword arguments
_HANDLERS: dict[str, Callable[..., None]] = {}


class TaskAbandoned(Exception):
    """Recorded as the failure of a task whose worker stopped while running it."""


def on_abandoned(task_path: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `handler(*args, **kwargs)` to run, inside the reaping transaction, for each abandoned run of
    the task at `task_path` (its `module_path`)."""
    def register(handler: Callable[..., None]) -> Callable[..., None]:
        _HANDLERS[task_path] = handler
        return handler
    return register


def tasks_abandoned_reap(*, limit: int = REAP_BATCH) -> int:
    """Mark RUNNING tasks started more than LIPWA_TASK_ABANDONED_SECONDS ago FAILED; returns how many."""
    max_age = timedelta(seconds=settings.LIPWA_TASK_ABANDONED_SECONDS)
    now = clock.now()
    with transaction.atomic():
        # SKIP LOCKED: a task a live worker is finishing right now is left to it.
        rows = list(DBTaskResult.objects.running().filter(started_at__lt=now - max_age)
                    .select_for_update(skip_locked=True).order_by("started_at")[:limit])
        for row in rows:
            started = row.started_at
            row.status = TaskResultStatus.FAILED
            row.finished_at = now
            row.return_value = None
            row.exception_class_path = EXCEPTION_PATH
            row.traceback = (f"{EXCEPTION_PATH}: no result {int((now - started).total_seconds())} s after worker "
                             f"{', '.join(row.worker_ids) or '(unknown)'} started it at {started.isoformat()}; "
                             "the worker stopped while running it")
            row.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
            handler = _HANDLERS.get(row.task_path)
            if handler is not None:
                arguments = row.args_kwargs or {}
                handler(*arguments.get("args", []), **arguments.get("kwargs", {}))
    for row in rows:
        log.warning("task %s (%s) abandoned by its worker; marked failed", row.id, row.task_path)
    return len(rows)
