"""A full batch whose worker died mid-send is sent again, every delivery of it, once its claim lapses."""

from __future__ import annotations

import pytest
from django.db import transaction

from lipwa.payments.events import event_record
from lipwa.webhooks_out import deliveries
from lipwa.webhooks_out.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing after it runs, nothing is recorded."""


def test_a_full_batch_of_a_dead_worker_is_sent_again_after_its_claim(receiver, make_endpoint, payment, run_tasks,
                                                                     send_due, frozen_clock, monkeypatch):
    make_endpoint(receiver.url)
    with transaction.atomic():  # one transaction: its deliveries share send tasks of up to 100
        events = {event_record(payment, "payment.processing").id for _ in range(101)}
    post_all = deliveries._post_all

    def die_after_sending(sendable):
        post_all(sendable[:-1])  # all but the last went out; the worker dies before recording anything
        raise WorkerDied

    monkeypatch.setattr(deliveries, "_post_all", die_after_sending)
    run_tasks(raise_on_failure=False)
    monkeypatch.undo()
    assert WebhookDelivery.objects.filter(status="pending").count() == 101
    first = len(receiver.requests)  # what the dead worker sent before dying
    frozen_clock.advance(deliveries.CLAIM_SECONDS + 1)
    assert send_due() == 101
    assert set(WebhookDelivery.objects.values_list("status", "attempts_count")) == {("succeeded", 1)}
    # At least once: what the dead worker sent arrives twice, the rest once; receivers dedupe by event id.
    assert len(receiver.requests) == first + 101 and len(events) == 101
