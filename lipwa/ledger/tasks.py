from django_tasks import task

from .services import pending_transfers_expire_due


@task(queue_name="sync")
def ledger_pending_expire_due() -> int:
    """Void ledger holds whose timeout passed."""
    return pending_transfers_expire_due()
