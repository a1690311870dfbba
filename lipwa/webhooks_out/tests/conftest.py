"""Fixtures for webhook delivery tests: a local receiver, a short client timeout, a frozen clock, events."""

from __future__ import annotations

import pytest

from lipwa.common import clock

from .receiver import Receiver


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):
    """The db_worker recycles connections between tasks, which inside a test's transaction closes the very
    connection the test runs in; no live server is involved here, so keep it and stay transactional."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def receiver(settings):
    settings.LIPWA_WEBHOOK_TIMEOUT_SECONDS = 0.3
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def frozen_clock():
    clock.freeze()
    return clock


@pytest.fixture
def payment(merchant):
    from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    return payment_with_attempt(merchant)[0]


@pytest.fixture
def record_event(payment):
    """Record an event of `payment` the way the core does (inside a transaction); returns it."""
    from django.db import transaction

    from lipwa.payments.events import event_record

    def record(event_type: str = "payment.succeeded", of=None):
        with transaction.atomic():
            return event_record(of or payment, event_type)

    return record


@pytest.fixture
def make_endpoint(merchant):
    from lipwa.webhooks_out.services import webhook_endpoint_create

    def make(url: str, enabled_events=("*",), *, of=None, mode: str = "test"):
        return webhook_endpoint_create(merchant=of or merchant, mode=mode, url=url,
                                       enabled_events=list(enabled_events))

    return make


@pytest.fixture
def send_due(run_tasks):
    """What the scheduler and the worker do on each tick: sweep due deliveries, then run the queued sends."""
    from lipwa.webhooks_out.tasks import webhook_deliveries_send_due

    def tick() -> int:
        queued = webhook_deliveries_send_due.call()
        run_tasks()
        return queued

    return tick
