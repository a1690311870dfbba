"""Replaying one event or every failed delivery since a time: the delivery restarts, it is not duplicated."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.webhooks_out.models import WebhookDelivery
from lipwa.webhooks_out.services import webhook_delivery_replay, webhook_endpoint_enable, webhook_endpoint_replay

pytestmark = pytest.mark.django_db


def replay(endpoint, **kwargs):
    return webhook_endpoint_replay(merchant=endpoint.merchant, mode=endpoint.mode, endpoint_id=endpoint.id, **kwargs)


def test_replaying_a_delivered_event_sends_it_again(receiver, make_endpoint, record_event, run_tasks):
    endpoint, _ = make_endpoint(receiver.url)
    event = record_event()
    run_tasks()
    (delivery,), _ = replay(endpoint, event_id=event.id)
    assert delivery.status == "pending"
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts_count) == ("succeeded", 2)
    assert [r.body for r in receiver.requests][0] == receiver.requests[1].body
    assert WebhookDelivery.objects.count() == 1


def test_replaying_an_event_from_before_the_endpoint_existed(receiver, make_endpoint, record_event, run_tasks):
    event = record_event()
    endpoint, _ = make_endpoint(receiver.url)
    replay(endpoint, event_id=event.id)
    run_tasks()
    assert WebhookDelivery.objects.get().status == "succeeded" and len(receiver.requests) == 1


def test_a_replay_gets_a_fresh_three_day_window(receiver, make_endpoint, record_event, run_tasks, send_due,
                                                 frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    receiver.default = "fail"
    event = record_event()
    run_tasks()
    frozen_clock.advance(10 * 86400)
    send_due()  # the window is over: the due retry is the clamped last one
    assert WebhookDelivery.objects.get().status == "failed"
    webhook_endpoint_enable(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id)  # it was disabled
    replay(endpoint, event_id=event.id)
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.retry_started_at == frozen_clock.now()
    assert delivery.next_attempt_at == frozen_clock.now() + timedelta(minutes=1)


def test_bulk_replay_takes_only_failed_deliveries_since_the_time(receiver, make_endpoint, record_event, run_tasks,
                                                                 frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    old = record_event("payment.processing")
    frozen_clock.advance(3600)
    since = frozen_clock.now()
    delivered = record_event("payment.requires_action")
    failed = record_event("payment.succeeded")
    run_tasks()
    WebhookDelivery.objects.exclude(event=delivered).update(status="failed", next_attempt_at=None)
    replayed, has_more = replay(endpoint, since=since)
    assert [d.event_id for d in replayed] == [failed.id] and has_more is False
    run_tasks()
    assert WebhookDelivery.objects.get(event=failed).status == "succeeded"
    assert WebhookDelivery.objects.get(event=old).status == "failed"


def test_operator_replay_of_one_delivery(receiver, make_endpoint, record_event, run_tasks):
    make_endpoint(receiver.url)
    record_event()
    run_tasks()
    delivery = webhook_delivery_replay(delivery_id=WebhookDelivery.objects.get().id)
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.attempts_count == 2
    with pytest.raises(NotFound):
        webhook_delivery_replay(delivery_id="whd_missing")


def test_replay_refusals(make_endpoint, record_event, merchant):
    endpoint, _ = make_endpoint("http://127.0.0.1:9/", ["payment.failed"])
    event = record_event("payment.succeeded")
    with pytest.raises(InvalidRequest) as refused:
        replay(endpoint, event_id=event.id)
    assert (refused.value.param, refused.value.code) == ("event", "event_type_not_enabled")
    with pytest.raises(NotFound) as missing:
        replay(endpoint, event_id="evt_nope")
    assert missing.value.param == "event"
    with pytest.raises(InvalidRequest):
        replay(endpoint)
    with pytest.raises(InvalidRequest):
        replay(endpoint, event_id=event.id, since=event.created_at)
    with pytest.raises(InvalidRequest) as wrong_status:
        replay(endpoint, since=event.created_at, status="succeeded")
    assert wrong_status.value.param == "status"
    type(endpoint).objects.filter(id=endpoint.id).update(status="disabled")
    with pytest.raises(Conflict):
        replay(endpoint, since=event.created_at)
    assert WebhookDelivery.objects.count() == 0
