"""Thin task wrappers over payment services; the scheduler enqueues the `*_due` ones periodically."""

from __future__ import annotations

import logging

from django_tasks import task

from .selectors import attempts_due_for_sync, open_attempts_of, payments_due_for_expiry
from .services import attempt_sync, attempt_sync_postpone, payment_expire

log = logging.getLogger("lipwa.payments")


@task(queue_name="sync")
def attempts_sync_due(payment_ids: list[str] | None = None) -> int:
    """The janitor: re-query every attempt whose outcome is not final and whose next query is due (only those
    of `payment_ids` when given: a test clock runs this as of its own time for its own payments)."""
    synced = 0
    for attempt_id in attempts_due_for_sync(payment_ids=payment_ids):
        try:
            attempt_sync(attempt_id=attempt_id)
            synced += 1
        except Exception:  # one broken attempt must not starve the rest
            log.exception("sync of attempt %s failed", attempt_id)
            attempt_sync_postpone(attempt_id=attempt_id)
    return synced


@task(queue_name="sync")
def payments_expire_due(payment_ids: list[str] | None = None) -> int:
    """Expire payments past their window (only those of `payment_ids` when given); each open attempt is
    queried once first, so an answer that arrived just in time still counts."""
    expired = 0
    for payment_id in payments_due_for_expiry(payment_ids=payment_ids):
        for attempt_id in open_attempts_of(payment_id=payment_id):
            try:
                attempt_sync(attempt_id=attempt_id)
            except Exception:
                # The last query is a courtesy; if it cannot even be made (say, credentials that no longer
                # decrypt), the payment must still expire rather than stay processing forever.
                log.exception("last sync of attempt %s before expiry failed", attempt_id)
        try:
            payment = payment_expire(payment_id=payment_id)
            expired += payment.status == "expired"
        except Exception:
            log.exception("expiry of payment %s failed", payment_id)
    return expired


@task(queue_name="sync")
def refunds_sync_due() -> int:
    """Re-query refunds the gateway has accepted but not yet finished."""
    from .refunds import refund_sync
    from .selectors import refunds_due_for_sync

    synced = 0
    for refund_id in refunds_due_for_sync():
        try:
            refund_sync(refund_id=refund_id)
            synced += 1
        except Exception:
            log.exception("sync of refund %s failed", refund_id)
    return synced
