"""Thin task wrappers over webhooks_in services."""

from django_tasks import task

from .services import inbound_webhook_process, inbound_webhooks_reprocess_due


@task(queue_name="webhooks")
def inbound_webhook_process_task(webhook_id: str) -> str:
    return inbound_webhook_process(webhook_id=webhook_id)


@task(queue_name="webhooks")
def inbound_webhooks_process_due() -> int:
    """Periodic: callbacks whose processing job was lost (a worker killed mid-job) are queued again."""
    return inbound_webhooks_reprocess_due()
