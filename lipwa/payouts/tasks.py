import logging

from django_tasks import task

from .services import payout_sync, payouts_due_for_sync

log = logging.getLogger("lipwa.payouts")


@task(queue_name="sync")
def payouts_sync_due() -> int:
    """Re-query payouts the gateway accepted but has not finished."""
    synced = 0
    for payout_id in payouts_due_for_sync():
        try:
            payout_sync(payout_id=payout_id)
            synced += 1
        except Exception:
            log.exception("sync of payout %s failed", payout_id)
    return synced
