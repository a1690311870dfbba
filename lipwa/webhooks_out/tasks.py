"""Thin task wrappers over webhook delivery services; the scheduler enqueues the `*_due` one periodically."""

from django_tasks import task

from .deliveries import webhook_deliveries_enqueue_due, webhook_delivery_send


@task(queue_name="webhooks")
def webhook_delivery_send_task(delivery_id: str, claim_token: str) -> str:
    return webhook_delivery_send(delivery_id=delivery_id, claim_token=claim_token)


@task(queue_name="webhooks")
def webhook_deliveries_send_due() -> int:
    """Queue a send task for every delivery whose retry is due; returns how many."""
    return webhook_deliveries_enqueue_due()
