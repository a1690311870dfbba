"""Thin task wrappers over webhooks_in services."""

from django_tasks import task

from .services import inbound_webhook_process


@task(queue_name="webhooks")
def inbound_webhook_process_task(webhook_id: str) -> str:
    return inbound_webhook_process(webhook_id=webhook_id)
