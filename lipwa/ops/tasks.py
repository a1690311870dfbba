from django_tasks import task

from .services import heartbeat_record


@task()
def worker_heartbeat() -> None:
    """Run by the worker, so its timestamp proves the queue is being consumed."""
    heartbeat_record()
