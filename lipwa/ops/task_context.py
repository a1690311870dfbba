"""Carry the request id (and merchant id) from the request that enqueued a task into the worker's log lines.

django-tasks has no place for metadata on a task, so the origin is kept beside it (TaskOrigin, keyed by the
task id) and bound to the log context while the worker runs the task, with the task id and the task's
`*_id` arguments (payment_id, attempt_id, …).
"""

from __future__ import annotations

import inspect
import logging

from django_tasks.signals import task_enqueued, task_finished, task_started

from .logs import bind_context, clear_context, current_context

log = logging.getLogger("lipwa.tasks")


def _on_enqueued(sender, task_result, **kwargs) -> None:
    from .models import TaskOrigin

    context = current_context()
    request_id = context.get("request_id")
    if not request_id:
        return
    TaskOrigin.objects.create(task_id=task_result.id, request_id=request_id,
                              merchant_id=context.get("merchant_id") or "")


def _task_ids(task_result) -> dict[str, str]:
    """The task's arguments named `*_id` with string values, e.g. payment_id=pay_…"""
    try:
        bound = inspect.signature(task_result.task.func).bind_partial(*task_result.args, **task_result.kwargs)
    except (TypeError, ValueError):
        return {}
    return {name: value for name, value in bound.arguments.items()
            if name.endswith("_id") and isinstance(value, str)}


def _on_started(sender, task_result, **kwargs) -> None:
    from .models import TaskOrigin

    clear_context()
    origin = TaskOrigin.objects.filter(task_id=task_result.id).first()
    bind_context(task_id=str(task_result.id), **_task_ids(task_result),
                 request_id=origin.request_id if origin else None,
                 merchant_id=origin.merchant_id if origin else None)


def _on_finished(sender, task_result, **kwargs) -> None:
    from .models import TaskOrigin

    try:
        TaskOrigin.objects.filter(task_id=task_result.id).delete()
    finally:
        clear_context()


def connect() -> None:
    task_enqueued.connect(_on_enqueued, dispatch_uid="lipwa.ops.task_context.enqueued")
    task_started.connect(_on_started, dispatch_uid="lipwa.ops.task_context.started")
    task_finished.connect(_on_finished, dispatch_uid="lipwa.ops.task_context.finished")
