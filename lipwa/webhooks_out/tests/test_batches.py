"""Batched sending: one send task per endpoint and transaction (at most SEND_BATCH_MAX deliveries each), sent
concurrently, with every guarantee of a single delivery: signed, retried, never sent twice by one claim."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from lipwa.payments.events import event_record
from lipwa.webhooks_out import batches
from lipwa.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from lipwa.webhooks_out.presenters import event_body
from lipwa.webhooks_out.signing import verify_signature

pytestmark = pytest.mark.django_db

SEND_TASK = "lipwa.webhooks_out.tasks.webhook_delivery_send_task"


def send_tasks():
    return DBTaskResult.objects.filter(task_path=SEND_TASK)


def test_the_events_of_one_transaction_share_one_task_per_endpoint(receiver, make_endpoint, payment, run_tasks,
                                                                   frozen_clock):
    first, secret = make_endpoint(receiver.url)
    second, _ = make_endpoint(receiver.url + "/second", ["payment.succeeded"])
    with transaction.atomic():
        events = [event_record(payment, kind) for kind in ("payment.processing", "payment.succeeded",
                                                           "payment.failed")]
    assert WebhookDelivery.objects.filter(endpoint=first).count() == 3
    assert send_tasks().count() == 2, "one task per endpoint, not one per delivery"
    tokens = {ep: set(WebhookDelivery.objects.filter(endpoint=ep).values_list("claim_token", flat=True))
              for ep in (first, second)}
    assert all(len(t) == 1 for t in tokens.values()) and tokens[first] != tokens[second]
    run_tasks()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert WebhookAttempt.objects.count() == 4 and len(receiver.requests) == 4
    to_first = [r for r in receiver.requests if not r.path.endswith("/second")]
    assert sorted(r.headers["lipwa-delivery-id"] for r in to_first) == sorted(
        WebhookDelivery.objects.filter(endpoint=first).values_list("id", flat=True))
    now = frozen_clock.now().timestamp()
    for request in to_first:
        verify_signature(request.body, request.headers["lipwa-signature"], secret, now=now)
    assert {r.body for r in to_first} == {event_body(e) for e in events}
    first.refresh_from_db()
    assert first.last_succeeded_at == frozen_clock.now() and first.failing_since is None


def test_separate_transactions_get_separate_tasks(receiver, make_endpoint, record_event):
    make_endpoint(receiver.url)
    record_event()
    record_event("payment.failed")
    assert send_tasks().count() == 2
    assert WebhookDelivery.objects.values("claim_token").distinct().count() == 2


def test_a_batch_holds_at_most_send_batch_max(receiver, make_endpoint, payment, run_tasks, monkeypatch):
    monkeypatch.setattr(batches, "SEND_BATCH_MAX", 2)
    make_endpoint(receiver.url)
    with transaction.atomic():
        for _ in range(5):
            event_record(payment, "payment.processing")
    assert send_tasks().count() == 3
    run_tasks()
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 5 and len(receiver.requests) == 5


def test_a_rolled_back_savepoint_does_not_strand_the_deliveries_after_it(receiver, make_endpoint, payment,
                                                                         run_tasks):
    make_endpoint(receiver.url)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            event_record(payment, "payment.processing")  # its delivery and its batch's task roll back
            raise RuntimeError("rolled back")
        kept = event_record(payment, "payment.succeeded")
        with pytest.raises(RuntimeError), transaction.atomic():
            event_record(payment, "payment.failed")
            raise RuntimeError("rolled back")
        also_kept = event_record(payment, "payment.cancelled")
    assert set(WebhookDelivery.objects.values_list("event_id", flat=True)) == {kept.id, also_kept.id}
    run_tasks()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert len(receiver.requests) == 2


def test_successes_and_failures_of_one_batch_are_each_recorded(receiver, make_endpoint, payment, run_tasks,
                                                               send_due, frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    with transaction.atomic():
        failing = event_record(payment, "payment.processing")
        event_record(payment, "payment.succeeded")
    receiver.policy = lambda request: "fail" if failing.id.encode() in request.body else "ok"
    run_tasks()
    failed = WebhookDelivery.objects.get(event=failing)
    assert (failed.status, failed.last_status_code, failed.failed_attempts) == ("pending", 500, 1)
    assert failed.next_attempt_at == frozen_clock.now() + timedelta(minutes=1) and failed.claim_token == ""
    assert WebhookDelivery.objects.exclude(event=failing).get().status == "succeeded"
    endpoint.refresh_from_db()
    # The success is recorded first, so the failing run starts no earlier than it.
    assert endpoint.failing_since == endpoint.last_succeeded_at == frozen_clock.now()
    receiver.policy = None
    frozen_clock.advance(60)
    assert send_due() == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts_count) == ("succeeded", 2)
    assert WebhookAttempt.objects.filter(delivery=failed).count() == 2


def test_the_sweep_queues_one_task_per_endpoint(receiver, make_endpoint, payment, run_tasks, frozen_clock):
    from lipwa.webhooks_out.deliveries import webhook_deliveries_enqueue_due

    first, _ = make_endpoint(receiver.url)
    second, _ = make_endpoint(receiver.url + "/second")
    receiver.default = "fail"
    for kind in ("payment.processing", "payment.succeeded"):
        with transaction.atomic():
            event_record(payment, kind)
    run_tasks()
    DBTaskResult.objects.all().delete()
    frozen_clock.advance(60)
    assert webhook_deliveries_enqueue_due() == 4
    assert send_tasks().count() == 2
    assert webhook_deliveries_enqueue_due() == 0, "claimed deliveries are not queued twice"
    receiver.default = "ok"
    run_tasks()
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 4


def test_a_batch_of_a_disabled_endpoint_is_not_sent(receiver, make_endpoint, payment, run_tasks):
    endpoint, _ = make_endpoint(receiver.url)
    with transaction.atomic():
        event_record(payment, "payment.processing")
        event_record(payment, "payment.succeeded")
    WebhookEndpoint.objects.filter(id=endpoint.id).update(status="disabled")
    run_tasks()
    assert set(WebhookDelivery.objects.values_list("status", "last_error")) == {
        ("failed", "not sent: endpoint disabled")}
    assert receiver.requests == []


def test_a_merchant_without_endpoints_gets_no_deliveries_and_no_tasks(record_event):
    record_event()
    assert not WebhookDelivery.objects.exists() and not send_tasks().exists()


def test_only_live_endpoints_of_the_events_mode_count(make_endpoint, record_event):
    from lipwa.webhooks_out.services import webhook_endpoint_delete

    deleted, _ = make_endpoint("http://127.0.0.1:9/deleted")
    webhook_endpoint_delete(merchant=deleted.merchant, mode="test", endpoint_id=deleted.id)
    make_endpoint("http://127.0.0.1:9/live-mode", mode="live")
    record_event()
    assert not WebhookDelivery.objects.exists() and not send_tasks().exists()
