from django_tasks import task

from .services import heartbeat_record


@task()
def worker_heartbeat() -> None:
    """Run by the worker, so its timestamp proves the queue is being consumed."""
    heartbeat_record()


@task()
def tasks_abandoned_reap_due() -> int:
    """Close the records of tasks whose worker died mid-run (see abandoned.py)."""
    from .abandoned import tasks_abandoned_reap

    return tasks_abandoned_reap()
