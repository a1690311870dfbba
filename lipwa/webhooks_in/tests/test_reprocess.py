"""A stored callback whose processing job was lost (the worker that took it was killed) is queued again by the
periodic sweep, so it cannot stay `received` forever (found by the kill -9 fault injection)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock
from lipwa.merchants.services import callback_token
from lipwa.webhooks_in.models import InboundWebhook
from lipwa.webhooks_in.services import inbound_webhook_receive, inbound_webhooks_reprocess_due
from lipwa.webhooks_in.tasks import inbound_webhooks_process_due

from .test_inbound import create, stk_callback

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(simulator_account):
    return simulator_account("mpesa")


def receive(account, body: bytes) -> InboundWebhook:
    webhook, _ = inbound_webhook_receive(slug="daraja", account_id=account.id, token=callback_token(account),
                                         path="/hooks/daraja/", headers={}, body=body, remote_addr="127.0.0.1")
    return webhook


def lose_its_job() -> None:
    """What `kill -9` of a worker mid-job leaves: the job claimed (RUNNING) by a worker that no longer exists."""
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING", worker_ids=["killed-worker"])


def test_a_callback_whose_job_died_is_processed_after_the_sweep(account, run_tasks, settings):
    payment = create(account)
    webhook = receive(account, stk_callback(payment.gateway_reference))
    lose_its_job()
    run_tasks()
    assert InboundWebhook.objects.get(id=webhook.id).status == "received"
    assert inbound_webhooks_reprocess_due() == 0, "not before its job could have run"
    clock.advance(settings.LIPWA_CALLBACK_REPROCESS_SECONDS + 1)
    assert inbound_webhooks_process_due.call() == 1
    assert inbound_webhooks_reprocess_due() == 0, "queued once per period, not on every tick"
    run_tasks()
    assert InboundWebhook.objects.get(id=webhook.id).status == "processed"
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    clock.advance(settings.LIPWA_CALLBACK_REPROCESS_SECONDS + 1)
    assert inbound_webhooks_reprocess_due() == 0, "a processed callback leaves the sweep"


def test_a_slow_job_and_its_second_copy_apply_the_callback_once(account, run_tasks, settings):
    payment = create(account)
    receive(account, stk_callback(payment.gateway_reference))
    clock.advance(settings.LIPWA_CALLBACK_REPROCESS_SECONDS + 1)
    assert inbound_webhooks_reprocess_due() == 1  # the first job is still waiting: two copies now
    run_tasks()
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert list(payment.events.filter(type="payment.succeeded").values_list("type", flat=True)) == [
        "payment.succeeded"]
    assert [w.process_count for w in InboundWebhook.objects.all()] == [1], "the second copy found it processed"
