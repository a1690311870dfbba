"""The PostgreSQL connection dies in the middle of a state change (pg_terminate_backend of lipwa's own backend
while the transaction that records a success is open): the change happens entirely or not at all, and the retry
(the stored callback queued again, or the janitor's next run) completes it exactly once.

The barrier is the `attempt_finalized` signal, sent inside `attempt_apply_result`'s transaction after the attempt
row is updated and before the ledger and the events are written: the worst moment to lose the connection.
"""

from __future__ import annotations

import pytest
from django.db import connection, connections

from lipwa.common import clock
from lipwa.ledger.models import Transfer
from lipwa.ledger.selectors import ledger_verify
from lipwa.payments.models import PaymentEvent, PaymentIntent
from lipwa.payments.services import payment_create
from lipwa.payments.signals import attempt_finalized
from lipwa.payments.tasks import attempts_sync_due
from lipwa.webhooks_in.models import InboundWebhook

from .report import report

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True), pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")]

NO_CALLBACK_PHONE = "0712345004"  # the simulator succeeds and sends no callback: only our query or a test's post


class DropConnectionOnce:
    """Terminate the backend of the connection that is inside the transaction, from a second connection."""

    def __init__(self) -> None:
        self.dropped = 0

    def __call__(self, sender, **kwargs) -> None:
        if self.dropped:
            return
        self.dropped += 1
        import psycopg
        from django.conf import settings

        pid = connection.connection.info.backend_pid
        db = settings.DATABASES["default"]
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
                             password=db["PASSWORD"] or None, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def drop_once():
    """Armed by the test once its payment is in flight, so that only the state change under test is cut."""
    dropper = DropConnectionOnce()
    dropper.arm = lambda: attempt_finalized.connect(dropper, dispatch_uid="chaos.drop")
    yield dropper
    attempt_finalized.disconnect(dispatch_uid="chaos.drop")


def in_flight(account) -> PaymentIntent:
    payment = payment_create(merchant=account.merchant, mode="test", amount=10000, currency="KES",
                             method="mobile_money", provider="mpesa", phone=NO_CALLBACK_PHONE)
    assert (payment.status, bool(payment.gateway_reference)) == ("processing", True), payment.failure_message
    return payment


def effects(payment_id: str) -> tuple:
    payment = PaymentIntent.objects.get(id=payment_id)
    attempt = payment.attempts.get()
    return (payment.status, attempt.status, Transfer.objects.filter(payment_id=payment_id, code="CHARGE").count(),
            PaymentEvent.objects.filter(payment_id=payment_id, type="payment.succeeded").count())


def reconnect() -> None:
    """What the worker does between jobs (close_old_connections): drop the dead connection, open a new one."""
    for conn in connections.all():
        conn.close_if_unusable_or_obsolete()
    connection.close()


def test_connection_dropped_inside_the_janitors_state_change(simulator_account, drop_once, run_tasks):
    payment = in_flight(simulator_account("mpesa"))
    drop_once.arm()
    clock.advance(11)
    try:  # the janitor's query answers success; the transaction recording it is cut
        outcome = f"returned {attempts_sync_due.call()}"
    except Exception as exc:
        outcome = f"raised {type(exc).__name__}"
    reconnect()
    assert drop_once.dropped == 1
    assert effects(payment.id) == ("processing", "processing", 0, 0), "nothing of the change survived"
    clock.advance(31)
    attempts_sync_due.call()  # the next run of the janitor
    run_tasks()
    assert effects(payment.id) == ("succeeded", "succeeded", 1, 1), "done once, and only once"
    assert ledger_verify() == []
    report("connection-drop-janitor", {"the janitor's run": outcome,
                                       "after the drop": "processing, no charge, no event",
                                       "after the retry": "succeeded, 1 charge, 1 payment.succeeded"}, [])


def test_connection_dropped_inside_a_callbacks_state_change(simulator_account, drop_once, run_tasks, settings,
                                                            lipwa_server):
    import httpx

    from lipwa.merchants.services import callback_url
    from lipwa.webhooks_in.services import inbound_webhooks_reprocess_due
    from lipwa.webhooks_in.tasks import inbound_webhook_process_task

    account = simulator_account("mpesa")
    payment = in_flight(account)
    body = (b'{"Body": {"stkCallback": {"MerchantRequestID": "m-1", "CheckoutRequestID": "%s", "ResultCode": 0, '
            b'"ResultDesc": "ok", "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 100.00}, {"Name": '
            b'"MpesaReceiptNumber", "Value": "SIM7DROP01"}, {"Name": "PhoneNumber", "Value": 254712345004}]}}}}'
            ) % payment.gateway_reference.encode()
    response = httpx.post(callback_url(account), content=body, timeout=10, trust_env=False)
    assert response.status_code == 200, response.text
    [webhook] = InboundWebhook.objects.all()
    drop_once.arm()
    with pytest.raises(Exception) as dropped:
        inbound_webhook_process_task.call(webhook.id)  # the job, as the worker runs it
    reconnect()
    assert effects(payment.id) == ("processing", "processing", 0, 0), "nothing of the change survived"
    assert InboundWebhook.objects.get(id=webhook.id).status == "received", "the callback is kept for a retry"
    clock.advance(settings.LIPWA_CALLBACK_REPROCESS_SECONDS + 1)
    assert inbound_webhooks_reprocess_due() == 1
    run_tasks()
    assert effects(payment.id) == ("succeeded", "succeeded", 1, 1), "done once, and only once"
    assert InboundWebhook.objects.get(id=webhook.id).status == "processed"
    assert PaymentIntent.objects.get(id=payment.id).receipt_number == "SIM7DROP01"
    assert ledger_verify() == []
    report("connection-drop-callback", {"error seen by the job": type(dropped.value).__name__,
                                        "after the drop": "processing, no charge, no event, callback kept",
                                        "after the retry": "succeeded, 1 charge, 1 payment.succeeded"}, [])
