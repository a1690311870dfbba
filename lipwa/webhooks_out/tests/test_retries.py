"""Three days of retries, giving up, and disabling an endpoint that never answers, by moving lipwa's clock."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lipwa.webhooks_out.models import WebhookDelivery, WebhookEndpoint
from lipwa.webhooks_out.schedule import RETRY_DELAYS_SECONDS, next_attempt_at, retry_delay_seconds
from lipwa.webhooks_out.services import webhook_endpoint_enable, webhook_endpoint_replay

pytestmark = pytest.mark.django_db

THREE_DAYS = 3 * 24 * 3600
# 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, then every 12 h, the last one clamped to 3 days after the event.
EXPECTED_ATTEMPT_OFFSETS = [0, 60, 360, 2160, 9360, 27360, 63360, 106560, 149760, 192960, 236160, THREE_DAYS]


def run_until_settled(delivery: WebhookDelivery, clock, send_due) -> list[float]:
    """Advance to each retry and run the sweep until the delivery is final; the attempt times, from the event."""
    start = delivery.event.created_at
    offsets = []
    while True:
        delivery.refresh_from_db()
        offsets.append((delivery.last_attempt_at - start).total_seconds())
        if delivery.status != "pending":
            return offsets
        clock.advance((delivery.next_attempt_at - clock.now()).total_seconds())
        assert send_due() == 1


def test_the_schedule_as_data():
    assert [retry_delay_seconds(n) for n in range(1, 9)] == [60, 300, 1800, 7200, 18000, 36000, 43200, 43200]
    assert len(RETRY_DELAYS_SECONDS) == 6
    with pytest.raises(ValueError):
        retry_delay_seconds(0)


def test_the_last_retry_is_clamped_to_the_window_and_then_it_gives_up(frozen_clock):
    start = frozen_clock.now()
    almost = start + timedelta(seconds=THREE_DAYS - 10)
    assert next_attempt_at(retry_started_at=start, failed_attempts=9, now=almost) == start + timedelta(days=3)
    assert next_attempt_at(retry_started_at=start, failed_attempts=10, now=start + timedelta(days=3)) is None


def test_a_receiver_that_always_fails_is_tried_for_3_days_then_given_up_and_disabled(
        receiver, make_endpoint, record_event, run_tasks, send_due, frozen_clock, caplog):
    endpoint, _ = make_endpoint(receiver.url)
    receiver.default = "fail"
    record_event()
    run_tasks()
    with caplog.at_level(logging.WARNING, logger="lipwa.webhooks_out"):
        offsets = run_until_settled(WebhookDelivery.objects.get(), frozen_clock, send_due)
    assert offsets == EXPECTED_ATTEMPT_OFFSETS
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts_count, delivery.next_attempt_at) == ("failed", 12, None)
    assert len(receiver.requests) == 12
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled" and endpoint.disabled_at == frozen_clock.now()
    assert "failed for 3 days" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    assert any(endpoint.id in r.getMessage() and "disabled" in r.getMessage() for r in caplog.records)
    frozen_clock.advance(86400)
    assert send_due() == 0 and len(receiver.requests) == 12, "nothing is sent after giving up"


def test_a_success_in_between_keeps_the_endpoint_enabled(receiver, make_endpoint, record_event, run_tasks,
                                                         send_due, frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    poisoned = record_event("payment.failed")
    receiver.policy = lambda request: "fail" if poisoned.id.encode() in request.body else "ok"
    run_tasks()
    frozen_clock.advance(86400)
    record_event("payment.succeeded")  # the receiver takes this one: the endpoint works
    run_tasks()
    offsets = run_until_settled(WebhookDelivery.objects.get(event=poisoned), frozen_clock, send_due)
    assert offsets[-1] == THREE_DAYS
    assert WebhookDelivery.objects.get(event=poisoned).status == "failed"
    endpoint.refresh_from_db()
    assert endpoint.status == "enabled", "the endpoint took another event within the 3 days"


def test_a_disabled_endpoint_records_what_it_missed_and_catches_up_after_enable_and_replay(
        receiver, make_endpoint, record_event, run_tasks, send_due, frozen_clock):
    endpoint, _ = make_endpoint(receiver.url)
    receiver.default = "fail"
    first = record_event("payment.processing")
    run_tasks()
    run_until_settled(WebhookDelivery.objects.get(event=first), frozen_clock, send_due)
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    disabled_at = endpoint.disabled_at
    missed = record_event("payment.succeeded")
    run_tasks()
    skipped = WebhookDelivery.objects.get(event=missed)
    assert (skipped.status, skipped.attempts_count, skipped.last_error) == ("failed", 0, "not sent: endpoint disabled")
    requests_before = len(receiver.requests)
    receiver.default = "ok"
    webhook_endpoint_enable(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id)
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.disabled_reason, endpoint.disabled_at) == ("enabled", "", None)
    replayed, has_more = webhook_endpoint_replay(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id,
                                                 since=disabled_at - timedelta(days=4), status="failed")
    assert {d.event_id for d in replayed} == {first.id, missed.id} and has_more is False
    run_tasks()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert len(receiver.requests) == requests_before + 2
    assert WebhookEndpoint.objects.get().failing_since is None
