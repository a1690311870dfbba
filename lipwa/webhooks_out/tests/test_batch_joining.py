"""Send tasks shared across committed transactions: each event in a transaction of its own (one payment each)
still makes few tasks, every delivery is sent exactly once, a task that has started takes no new deliveries,
a task waits for a transaction that joined it, and a worker dying mid-batch loses nothing.

The transactions here really commit (and run in threads where they must overlap), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from lipwa.payments.events import event_record
from lipwa.webhooks_out import batches, deliveries
from lipwa.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookSendBatch

pytestmark = pytest.mark.django_db(transaction=True)

SEND_TASK = "lipwa.webhooks_out.tasks.webhook_delivery_send_task"
WAIT_SECONDS = 10


@pytest.fixture(autouse=True)
def _patient_client(receiver, settings):
    """Batches connect many times at once and the machine may be busy: no attempt here is meant to time out."""
    settings.LIPWA_WEBHOOK_TIMEOUT_SECONDS = WAIT_SECONDS


def send_tasks():
    return DBTaskResult.objects.filter(task_path=SEND_TASK)


def received_event_ids(receiver) -> list[str]:
    return [json.loads(request.body)["id"] for request in receiver.requests]


def in_thread(target) -> tuple[threading.Thread, list[BaseException]]:
    """Run `target` on a connection of its own (a transaction of its own), keeping any exception for the test."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which fails with it
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def finish(thread: threading.Thread, errors: list[BaseException]) -> None:
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "the thread did not finish"
    if errors:
        raise errors[0]


def test_single_event_transactions_share_queued_tasks_and_each_is_sent_once(receiver, make_endpoint, payment,
                                                                            run_tasks, frozen_clock, monkeypatch):
    monkeypatch.setattr(batches, "SEND_BATCH_MAX", 10)
    make_endpoint(receiver.url)
    events = set()
    for number in range(25):
        with transaction.atomic():  # committed: a payment's state change of its own
            events.add(event_record(payment, "payment.processing" if number % 2 else "payment.succeeded").id)
    assert WebhookDelivery.objects.count() == 25
    assert send_tasks().count() == 3, "a task per SEND_BATCH_MAX deliveries, not one per delivery"
    run_tasks()
    assert sorted(received_event_ids(receiver)) == sorted(events), "each event sent exactly once"
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}
    assert not WebhookSendBatch.objects.exists()


def test_a_delivery_created_while_its_batch_task_runs_is_still_sent(receiver, make_endpoint, payment, run_tasks):
    make_endpoint(receiver.url)
    first = event_record_committed(payment, "payment.processing")
    in_flight, go_on = threading.Event(), threading.Event()

    def hold_first(request):
        in_flight.set()
        go_on.wait(WAIT_SECONDS)  # the task is now running, with the first request in flight
        return "ok"

    receiver.policy = hold_first
    worker = in_thread(run_tasks)
    assert in_flight.wait(WAIT_SECONDS)
    receiver.policy = None
    second = event_record_committed(payment, "payment.succeeded")
    assert send_tasks().count() == 2, "the running task's batch was closed: the new delivery opened another"
    go_on.set()
    finish(*worker)
    run_tasks()
    assert sorted(received_event_ids(receiver)) == sorted([first.id, second.id])
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}


def test_the_task_waits_for_a_transaction_that_joined_its_batch(receiver, make_endpoint, payment, run_tasks):
    make_endpoint(receiver.url)
    first = event_record_committed(payment, "payment.processing")
    joined, commit = threading.Event(), threading.Event()
    second = []

    def join_and_hold():
        with transaction.atomic():
            second.append(event_record(payment, "payment.succeeded"))
            joined.set()
            commit.wait(WAIT_SECONDS)

    writer = in_thread(join_and_hold)
    assert joined.wait(WAIT_SECONDS)
    worker = in_thread(run_tasks)
    worker[0].join(0.5)
    assert worker[0].is_alive() and receiver.requests == [], "the task must wait for the joining transaction"
    commit.set()
    finish(*writer)
    finish(*worker)
    assert send_tasks().count() == 1
    assert sorted(received_event_ids(receiver)) == sorted([first.id, second[0].id]), "one task sent both"
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing after it runs, nothing is recorded."""


def test_a_worker_dying_mid_batch_loses_nothing(receiver, make_endpoint, payment, run_tasks, send_due,
                                                frozen_clock, monkeypatch):
    make_endpoint(receiver.url)
    events = {event_record_committed(payment, kind).id for kind in ("payment.processing", "payment.succeeded",
                                                                     "payment.failed")}
    post_all = deliveries._post_all

    def die_after_sending(sendable):
        post_all(sendable)  # the requests went out; the worker dies before recording anything
        raise WorkerDied

    monkeypatch.setattr(deliveries, "_post_all", die_after_sending)
    run_tasks(raise_on_failure=False)
    monkeypatch.undo()
    assert len(receiver.requests) == 3 and not WebhookAttempt.objects.exists()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"pending"}
    # Nobody sends them again while the dead worker's claim might still be in flight ...
    frozen_clock.advance(deliveries.CLAIM_SECONDS - 1)
    assert send_due() == 0 and len(receiver.requests) == 3
    # ... and then the sweep does: at least once, receivers deduplicate by event id.
    frozen_clock.advance(1)
    assert send_due() == 3
    assert sorted(received_event_ids(receiver)) == sorted(list(events) * 2)
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}


def test_a_task_lost_before_it_started_loses_nothing(receiver, make_endpoint, payment, send_due, frozen_clock):
    make_endpoint(receiver.url)
    event_record_committed(payment, "payment.processing")
    # The worker claimed the task (as db_worker does) and died before running it: the job stays "running".
    job = send_tasks().get()
    job.claim("dead-worker")
    event_record_committed(payment, "payment.succeeded")  # joins the open batch of the lost task
    frozen_clock.advance(batches.JOIN_SECONDS + 1)
    event_record_committed(payment, "payment.failed")  # too late to join: a batch and task of its own
    assert send_tasks().count() == 2
    frozen_clock.advance(deliveries.CLAIM_SECONDS)
    send_due()
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}
    assert len(receiver.requests) == 3 and not WebhookSendBatch.objects.exists(), "the lost batch is forgotten"


def event_record_committed(payment, event_type: str):
    with transaction.atomic():
        return event_record(payment, event_type)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED are PostgreSQL's")
def test_concurrent_writers_and_workers_send_every_delivery_exactly_once(receiver, make_endpoint, payment,
                                                                         run_tasks):
    make_endpoint(receiver.url)
    writers_done = threading.Event()
    recorded: list[str] = []

    def write(count: int):
        for _ in range(count):
            recorded.append(event_record_committed(payment, "payment.processing").id)

    def work():
        while not writers_done.is_set() or DBTaskResult.objects.ready().exists():
            run_tasks()
            time.sleep(0.01)

    writers = [in_thread(lambda: write(30)) for _ in range(3)]
    workers = [in_thread(work) for _ in range(2)]
    for writer in writers:
        finish(*writer)
    writers_done.set()
    for worker in workers:
        finish(*worker)
    assert len(recorded) == 90
    assert sorted(received_event_ids(receiver)) == sorted(recorded), "each event sent exactly once"
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}
    jobs = send_tasks()
    assert set(jobs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert jobs.count() < len(recorded)
