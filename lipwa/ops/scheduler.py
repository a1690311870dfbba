"""Enqueue periodic tasks. The worker (db_worker) only runs what is queued; this is what queues the janitor.

Each periodic task is enqueued only if no copy of it is already waiting, so several schedulers (one per
machine) or a slow worker never pile up duplicates.
"""

from __future__ import annotations

import logging
import signal
import time

from django.db import close_old_connections
from django_tasks_db.models import DBTaskResult

log = logging.getLogger("lipwa.scheduler")

PERIODIC_TASKS = (
    "lipwa.ops.tasks.worker_heartbeat",
    "lipwa.ops.tasks.tasks_abandoned_reap_due",
    "lipwa.payments.tasks.attempts_sync_due",
    "lipwa.payments.tasks.payments_expire_due",
    "lipwa.webhooks_in.tasks.inbound_webhooks_process_due",
    "lipwa.webhooks_out.tasks.webhook_deliveries_send_due",
    "lipwa.payments.tasks.refunds_sync_due",
    "lipwa.payouts.tasks.payouts_sync_due",
    "lipwa.ledger.tasks.ledger_pending_expire_due",
    "lipwa.invoicing.tasks.invoices_mark_overdue_due",
    "lipwa.invoicing.tasks.invoice_reminders_due",
    "lipwa.checkout.tasks.receipt_emails_send_due_task",
)


def enqueue_periodic() -> list[str]:
    from django.utils.module_loading import import_string

    queued = []
    for dotted in PERIODIC_TASKS:
        task = import_string(dotted)
        if not DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
            task.enqueue()
            queued.append(dotted)
    return queued


def run_forever(interval_seconds: float) -> None:
    running = True

    def stop(signum, frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started; every %.1f s", interval_seconds)
    while running:
        close_old_connections()
        try:
            enqueue_periodic()
        except Exception:
            log.exception("scheduler tick failed; retrying")
        deadline = time.monotonic() + interval_seconds
        while running and time.monotonic() < deadline:
            time.sleep(0.2)
