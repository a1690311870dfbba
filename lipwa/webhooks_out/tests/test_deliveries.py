"""Deliveries against a real receiver on 127.0.0.1: queued with the event, signed, retried, logged.

Time passes by moving lipwa's clock and running the periodic sweep; nothing sleeps.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from lipwa.payments.events import event_record
from lipwa.webhooks_out.deliveries import CLAIM_SECONDS, webhook_delivery_send
from lipwa.webhooks_out.models import WebhookAttempt, WebhookDelivery
from lipwa.webhooks_out.presenters import event_body
from lipwa.webhooks_out.services import webhook_endpoint_delete
from lipwa.webhooks_out.signing import parse_header, verify_signature

pytestmark = pytest.mark.django_db

SEND_TASK = "lipwa.webhooks_out.tasks.webhook_delivery_send_task"


def the_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def test_a_delivery_is_signed_event_json_and_logged(receiver, make_endpoint, record_event, run_tasks, frozen_clock):
    endpoint, secret = make_endpoint(receiver.url, ["payment.succeeded"])
    event = record_event("payment.succeeded")
    record_event("payment.failed")  # not subscribed: no delivery
    run_tasks()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.body == event_body(event)
    payload = json.loads(request.body)
    assert (payload["id"], payload["object"], payload["type"]) == (event.id, "event", "payment.succeeded")
    assert payload["livemode"] is False and payload["data"]["object"]["id"] == event.payment_id
    assert request.headers["content-type"].startswith("application/json")
    now = frozen_clock.now().timestamp()
    assert verify_signature(request.body, request.headers["lipwa-signature"], secret, now=now) == int(now)
    assert len(parse_header(request.headers["lipwa-signature"])[1]) == 1
    delivery = the_delivery()
    assert (delivery.status, delivery.attempts_count, delivery.next_attempt_at) == ("succeeded", 1, None)
    assert request.headers["lipwa-delivery-id"] == delivery.id
    attempt = WebhookAttempt.objects.get()
    assert (attempt.succeeded, attempt.status_code, attempt.error) == (True, 200, "")
    assert attempt.response_excerpt == '{"received":true}' and attempt.latency_ms >= 0


def test_any_2xx_is_delivered(receiver, make_endpoint, record_event, run_tasks):
    make_endpoint(receiver.url)
    receiver.answer("accepted")
    record_event()
    run_tasks()
    assert the_delivery().status == "succeeded"


def test_deliveries_are_queued_in_the_transaction_of_the_event(receiver, make_endpoint, payment):
    make_endpoint(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(payment, "payment.succeeded")
        assert WebhookDelivery.objects.count() == 1
        assert DBTaskResult.objects.filter(task_path=SEND_TASK).count() == 1
        raise RuntimeError("the state change fails after its event was recorded")
    assert WebhookDelivery.objects.count() == 0
    assert not DBTaskResult.objects.filter(task_path=SEND_TASK).exists()


def test_only_matching_endpoints_of_the_merchant_and_mode_get_a_delivery(make_endpoint, record_event):
    from lipwa.merchants.services import merchant_create

    wildcard, _ = make_endpoint("http://127.0.0.1:9/all", ["*"])
    exact, _ = make_endpoint("http://127.0.0.1:9/exact", ["payment.succeeded", "payment.failed"])
    make_endpoint("http://127.0.0.1:9/other-type", ["payment.failed"])
    make_endpoint("http://127.0.0.1:9/live", ["*"], mode="live")
    make_endpoint("http://127.0.0.1:9/other-merchant", ["*"], of=merchant_create(name="Other"))
    deleted, _ = make_endpoint("http://127.0.0.1:9/deleted", ["*"])
    webhook_endpoint_delete(merchant=deleted.merchant, mode="test", endpoint_id=deleted.id)
    event = record_event("payment.succeeded")
    assert set(WebhookDelivery.objects.filter(event=event).values_list("endpoint_id", flat=True)) == {
        wildcard.id, exact.id}


def test_a_server_error_is_retried_on_the_schedule(receiver, make_endpoint, record_event, run_tasks, send_due,
                                                   frozen_clock):
    make_endpoint(receiver.url)
    receiver.answer("fail", "fail")
    record_event()
    run_tasks()
    delivery = the_delivery()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 500, "HTTP 500")
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)
    assert WebhookAttempt.objects.get().response_excerpt == "boom"
    assert send_due() == 0, "nothing is due before next_attempt_at"
    frozen_clock.advance(60)
    assert send_due() == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=5)
    frozen_clock.advance(300)
    send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts_count, len(receiver.requests)) == ("succeeded", 3, 3)
    assert len({r.body for r in receiver.requests}) == 1, "every attempt sends the same event"


def test_a_timeout_is_a_failed_attempt_with_the_error_logged(receiver, make_endpoint, record_event, run_tasks):
    make_endpoint(receiver.url)
    receiver.answer("hang")
    record_event()
    run_tasks()
    attempt = WebhookAttempt.objects.get()
    assert (attempt.succeeded, attempt.status_code) == (False, None)
    assert attempt.error.startswith("timed out after 0.3 s")
    assert attempt.latency_ms >= 300
    assert the_delivery().status == "pending"


@pytest.mark.parametrize("url, behaviour, error", [
    ("http://127.0.0.1:9/closed", None, "could not connect"),
    (None, "redirect", "HTTP 302"),
])
def test_unreachable_receivers_and_redirects_fail(receiver, make_endpoint, record_event, run_tasks, url, behaviour,
                                                   error):
    make_endpoint(url or receiver.url)
    if behaviour:
        receiver.answer(behaviour)
    record_event()
    run_tasks()
    delivery = the_delivery()
    assert delivery.status == "pending" and delivery.last_error.startswith(error)


def test_response_excerpt_is_at_most_1_kb(receiver, make_endpoint, record_event, run_tasks):
    make_endpoint(receiver.url)
    receiver.answer("big")
    record_event()
    run_tasks()
    assert WebhookAttempt.objects.get().response_excerpt == "x" * 1024


def test_a_duplicate_or_stale_task_sends_nothing(receiver, make_endpoint, record_event, run_tasks):
    make_endpoint(receiver.url)
    record_event()
    task = DBTaskResult.objects.get(task_path=SEND_TASK)
    delivery_id, token = task.args_kwargs["args"]
    run_tasks()
    assert webhook_delivery_send(delivery_id=delivery_id, claim_token=token) == "skipped"
    assert webhook_delivery_send(delivery_id=delivery_id, claim_token="forged") == "skipped"
    assert len(receiver.requests) == 1


def test_the_sweep_sends_a_delivery_whose_task_was_lost(receiver, make_endpoint, record_event, send_due,
                                                        frozen_clock):
    make_endpoint(receiver.url)
    record_event()
    DBTaskResult.objects.filter(task_path=SEND_TASK).delete()  # as if the worker died holding it
    assert send_due() == 0, "the claim holds the delivery back for a while"
    frozen_clock.advance(CLAIM_SECONDS)
    assert send_due() == 1
    assert the_delivery().status == "succeeded" and len(receiver.requests) == 1


def test_a_deleted_endpoint_stops_its_waiting_deliveries(receiver, make_endpoint, record_event, run_tasks,
                                                         send_due, frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    receiver.default = "fail"
    record_event()
    run_tasks()
    webhook_endpoint_delete(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id)
    frozen_clock.advance(3600)
    assert send_due() == 0
    delivery = the_delivery()
    assert (delivery.status, delivery.last_error) == ("failed", "not sent: endpoint deleted")
    assert len(receiver.requests) == 1


def test_a_delivery_queued_just_before_its_endpoint_was_disabled_is_not_sent(receiver, make_endpoint,
                                                                              record_event, run_tasks):
    endpoint, _ = make_endpoint(receiver.url)
    record_event()
    type(endpoint).objects.filter(id=endpoint.id).update(status="disabled")
    run_tasks()
    delivery = the_delivery()
    assert (delivery.status, delivery.attempts_count, delivery.last_error) == ("failed", 0,
                                                                               "not sent: endpoint disabled")
    assert receiver.requests == []


def test_a_replay_while_a_request_is_in_flight_sends_again(make_endpoint, record_event, run_tasks, monkeypatch):
    from lipwa.webhooks_out import deliveries
    from lipwa.webhooks_out.sender import AttemptOutcome
    from lipwa.webhooks_out.services import webhook_endpoint_replay

    endpoint, _ = make_endpoint("http://127.0.0.1:9/")
    event = record_event()
    outcomes = iter([AttemptOutcome(False, 500, "", 5, ""), AttemptOutcome(True, 200, "", 5, "")])

    def post(url, body, headers, *, timeout_seconds):
        if not WebhookAttempt.objects.exists() and not getattr(post, "replayed", False):
            post.replayed = True
            webhook_endpoint_replay(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id,
                                    event_id=event.id)
        return next(outcomes)

    monkeypatch.setattr(deliveries, "post_event", post)
    run_tasks()
    delivery = the_delivery()
    assert (delivery.status, delivery.attempts_count, delivery.failed_attempts) == ("succeeded", 2, 0)


def test_a_success_that_lands_after_the_endpoint_was_deleted_is_recorded(make_endpoint, record_event, run_tasks,
                                                                          monkeypatch):
    from lipwa.webhooks_out import deliveries
    from lipwa.webhooks_out.sender import AttemptOutcome

    endpoint, _ = make_endpoint("http://127.0.0.1:9/")

    def post_then_delete(url, body, headers, *, timeout_seconds):
        webhook_endpoint_delete(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id)
        return AttemptOutcome(True, 204, "", 5, "")

    monkeypatch.setattr(deliveries, "post_event", post_then_delete)
    record_event()
    run_tasks()
    delivery = the_delivery()
    assert (delivery.status, delivery.last_status_code) == ("succeeded", 204)
