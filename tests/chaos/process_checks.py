"""Run inside a process set up with the killed system's database (see `processes.run_python`): the invariants
after `kill -9`, as JSON."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

from lipwa.common import clock

from .invariants import STUCK_CALLBACK, check_payments
from .plan import PlannedPayment


def settled(plan_path: str) -> dict:
    """Progress figures, polled until the system has settled."""
    from django_tasks_db.models import DBTaskResult

    from lipwa.ops.scheduler import PERIODIC_TASKS
    from lipwa.payments.models import PaymentIntent
    from lipwa.webhooks_in.models import InboundWebhook
    from lipwa.webhooks_out.models import WebhookDelivery

    periodic = list(PERIODIC_TASKS)
    ids = list(json.loads(Path(plan_path).read_text()))
    open_payments = PaymentIntent.objects.filter(id__in=ids).exclude(
        status__in=["succeeded", "failed", "cancelled", "expired"])
    return {
        # Payments whose push answer died with a web process wait for their window to close (verify() moves the
        # clock there), not for anything this poll could see.
        "open payments": open_payments.exclude(id__in=_without_gateway_reference(open_payments)).count(),
        "callbacks waiting": InboundWebhook.objects.filter(status__in=["received", "awaiting_confirmation"]).count(),
        "jobs ready": DBTaskResult.objects.ready().exclude(task_path__in=periodic).count(),
        # A delivery whose send job died with the worker is parked until its claim lapses (CLAIM_SECONDS); verify()
        # moves the clock past that instead of waiting minutes here.
        "deliveries waiting": WebhookDelivery.objects.filter(
            status="pending", next_attempt_at__lte=clock.now() + timedelta(seconds=30)).count(),
    }


def verify(plan_path: str, killed_worker_id: str) -> dict:
    from django_tasks_db.models import DBTaskResult

    from lipwa.ops.scheduler import PERIODIC_TASKS
    from lipwa.payments.models import PaymentEvent, PaymentIntent
    from lipwa.webhooks_in.models import InboundWebhook
    from lipwa.webhooks_out.models import WebhookDelivery

    unanswered = _expire_payments_whose_answer_was_lost(list(json.loads(Path(plan_path).read_text())))
    parked = _deliveries_after_their_claim_lapsed()
    raw = json.loads(Path(plan_path).read_text())
    payments = {pid: PlannedPayment(**fields) for pid, fields in raw.items()}
    figures, problems = check_payments(payments)
    # One payment per merchant reference: a retried POST whose first try died with its web process never
    # created a second payment.
    references = Counter(PaymentIntent.objects.values_list("merchant_reference", flat=True))
    problems += [f"{n} payments for merchant reference {ref}" for ref, n in references.items() if n > 1]
    figures["payments in the database"] = sum(references.values())
    callbacks = Counter(InboundWebhook.objects.values_list("status", flat=True))
    figures.update({f"callbacks {status}": n for status, n in sorted(callbacks.items())})
    problems += [f"{n} callback(s) still {s}" for s, n in callbacks.items() if s in STUCK_CALLBACK]
    jobs = Counter(DBTaskResult.objects.values_list("status", flat=True))
    figures.update({f"jobs {status.lower()}": n for status, n in sorted(jobs.items())})
    orphans = DBTaskResult.objects.filter(status="RUNNING", worker_ids__contains=[killed_worker_id])
    figures["payments whose push answer died with a web process and no callback came (expired)"] = unanswered
    figures["jobs orphaned by the kill"] = list(orphans.values_list("task_path", flat=True))
    figures["merchant webhook deliveries still claimed by a dead send job, re-sent"] = parked
    waiting = DBTaskResult.objects.ready().exclude(task_path__in=PERIODIC_TASKS).count()
    problems += [f"{waiting} job(s) still waiting to run"] if waiting else []
    problems += [f"job {path} failed: {exc}" for path, exc in
                 DBTaskResult.objects.failed().values_list("task_path", "exception_class_path")[:5]]
    event_ids = set(PaymentEvent.objects.filter(payment_id__in=list(payments)).values_list("id", flat=True))
    deliveries = Counter(WebhookDelivery.objects.values_list("status", flat=True))
    figures.update({f"merchant webhook deliveries {status}": n for status, n in sorted(deliveries.items())})
    problems += [f"{n} merchant webhook deliveries {s}" for s, n in deliveries.items() if s != "succeeded"]
    figures["events"] = len(event_ids)
    return {"figures": figures, "problems": problems, "event_ids": sorted(event_ids)}


def _deliveries_after_their_claim_lapsed() -> int:
    """A delivery whose send job was running in the killed worker keeps its claim for CLAIM_SECONDS, then the sweep
    sends it again. Move this process's clock past the claim and run the sweep and the sends here."""
    from lipwa.ops.worker import run_ready_tasks
    from lipwa.webhooks_out.deliveries import CLAIM_SECONDS, webhook_deliveries_enqueue_due
    from lipwa.webhooks_out.models import WebhookDelivery

    parked = WebhookDelivery.objects.filter(status="pending").count()
    if parked:
        clock.advance(CLAIM_SECONDS + 1)
        webhook_deliveries_enqueue_due()
        run_ready_tasks(raise_on_failure=False)
    return parked


def _without_gateway_reference(payments) -> list[str]:
    from lipwa.payments.models import PaymentAttempt

    with_reference = PaymentAttempt.objects.filter(payment__in=payments, gateway_reference__isnull=False).exclude(
        gateway_reference="").values_list("payment_id", flat=True)
    return list(payments.exclude(id__in=with_reference).values_list("id", flat=True))


def _expire_payments_whose_answer_was_lost(ids: list[str]) -> int:
    """A web process killed between sending an STK push and reading its answer leaves an attempt without Daraja's
    CheckoutRequestID; if the callback was lost too (it may have come while the web process was down), nothing can
    tell lipwa the outcome. lipwa waits for the payment's window to close, then expires it: move this process's
    clock past the window and run the expiry job, as the scheduler would."""
    from lipwa.payments.models import PaymentIntent
    from lipwa.payments.tasks import payments_expire_due

    open_payments = PaymentIntent.objects.filter(id__in=ids).exclude(
        status__in=["succeeded", "failed", "cancelled", "expired"])
    waiting = _without_gateway_reference(open_payments)
    if waiting:
        clock.advance(16 * 60)  # past the default 15-minute window of an M-Pesa payment
        payments_expire_due.call()
    return len(waiting)
