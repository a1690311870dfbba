"""The janitor (attempts_sync_due, payments_expire_due) and the scheduler that queues it.

Time passes by moving lipwa's clock; the gateway is the live Daraja simulator, or a closed port for an
attempt whose queries can never get through.
"""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock
from lipwa.merchants.models import ConnectorAccount
from lipwa.ops.scheduler import PERIODIC_TASKS, enqueue_periodic
from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent
from lipwa.payments.services import payment_create
from lipwa.payments.tasks import attempts_sync_due, payments_expire_due

from .factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db(transaction=True)

NO_CALLBACK_PHONE = "+254712345004"  # the simulator never calls back; its status query says success


def events(payment_id: str) -> list[str]:
    return list(PaymentEvent.objects.filter(payment_id=payment_id).order_by("id").values_list("type", flat=True))


def seconds_until(moment) -> float:
    return (moment - clock.now()).total_seconds()


def test_janitor_resolves_a_payment_whose_callback_never_comes(merchant, simulator_account):
    simulator_account("mpesa")
    payment = payment_create(merchant=merchant, mode="test", amount=10000,
                             currency="KES", method="mobile_money", provider="mpesa", phone=NO_CALLBACK_PHONE)
    attempt = payment.attempts.get()
    assert (payment.status, attempt.status) == ("processing", "processing")
    assert attempt.gateway_reference and attempt.next_sync_at
    assert attempts_sync_due.call() == 0, "nothing is due before next_sync_at"
    clock.advance(seconds_until(attempt.next_sync_at) + 1)
    assert attempts_sync_due.call() == 1
    payment.refresh_from_db()
    attempt.refresh_from_db()
    assert (payment.status, attempt.status, attempt.next_sync_at) == ("succeeded", "succeeded", None)
    assert events(payment.id).count("payment.succeeded") == 1
    assert attempts_sync_due.call() == 0, "a final attempt is never queried again"


def test_expiry_asks_the_gateway_once_more_first(merchant, simulator_account):
    simulator_account("mpesa")
    payment = payment_create(merchant=merchant, mode="test", amount=10000,
                             currency="KES", method="mobile_money", provider="mpesa", phone=NO_CALLBACK_PHONE,
                             expires_in=60)
    clock.advance(61)  # past expiry, and the janitor never ran
    assert payments_expire_due.call() == 0
    payment.refresh_from_db()
    assert payment.status == "succeeded", "the answer that came just in time counts"
    assert "payment.expired" not in events(payment.id)


def test_a_payment_that_never_learned_its_reference_expires_never_fails(merchant):
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant, expires_in=600)
    assert attempt.gateway_reference is None
    synced = 0
    while seconds_until(payment.expires_at) > 0:
        clock.advance(min(seconds_until(attempt.next_sync_at) + 1, seconds_until(payment.expires_at) + 1))
        synced += attempts_sync_due.call()
        payments_expire_due.call()
        payment.refresh_from_db()
        attempt.refresh_from_db()
        if seconds_until(payment.expires_at) > 0:
            assert (payment.status, attempt.status, attempt.outcome_unknown) == ("processing", "processing", True)
    assert synced >= 4
    assert (payment.status, payment.failure_code) == ("expired", "")
    assert (attempt.status, attempt.next_sync_at) == ("expired", None)
    assert "payment.failed" not in events(payment.id)
    assert events(payment.id).count("payment.expired") == 1


def test_an_unreachable_gateway_never_fails_a_payment(merchant):
    """Queries to a closed port fail every time; the janitor keeps asking and only expiry ends the payment."""
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant, expires_in=900)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(gateway_reference="ws_CO_unreachable", status="processing")
    for expected_count in range(1, 6):  # 10 s, 30 s, 60 s, 300 s, 900 s after each other
        attempt.refresh_from_db()
        clock.advance(seconds_until(attempt.next_sync_at) + 1)
        attempts_sync_due.call()
        payments_expire_due.call()
        attempt.refresh_from_db()
        payment.refresh_from_db()
        if payment.status != "processing":
            break
        assert attempt.sync_count == expected_count
        assert attempt.outcome_unknown and "status query failed" in attempt.gateway_message
    assert payment.status == "expired"
    assert payment.failure_code == ""
    assert "payment.failed" not in events(payment.id)


def test_expiry_does_not_wait_for_a_query_that_cannot_be_made(merchant):
    """An attempt whose account credentials no longer decrypt cannot be queried; its payment still expires."""
    account = unreachable_mpesa_account(merchant)
    broken, _ = payment_with_attempt(merchant, expires_in=60)
    ConnectorAccount.objects.filter(pk=account.pk).update(credentials_encrypted="v1.bm90IGEgY2lwaGVydGV4dA==")
    clock.advance(61)
    assert payments_expire_due.call() == 1
    broken.refresh_from_db()
    assert broken.status == "expired"


def test_one_broken_attempt_does_not_stop_the_others(merchant):
    good_account = unreachable_mpesa_account(merchant)
    bad_account = unreachable_mpesa_account(merchant)
    # Both go through the first account (routing picks the oldest); then one attempt moves to the broken one.
    _, good = payment_with_attempt(merchant)
    _, bad = payment_with_attempt(merchant)
    PaymentAttempt.objects.filter(pk=bad.pk).update(connector_account=bad_account)
    ConnectorAccount.objects.filter(pk=bad_account.pk).update(credentials_encrypted="v1.AAAA")
    clock.advance(11)
    assert attempts_sync_due.call() == 1
    good.refresh_from_db()
    assert good.sync_count == 1 and good.connector_account_id == good_account.id


def test_the_janitor_leaves_final_and_not_yet_due_payments_alone(merchant):
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant)
    assert attempts_sync_due.call() == 0
    assert payments_expire_due.call() == 0
    PaymentIntent.objects.filter(pk=payment.pk).update(status="succeeded")
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status="succeeded")
    clock.advance(7 * 24 * 3600)
    assert attempts_sync_due.call() == 0
    assert payments_expire_due.call() == 0
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_the_scheduler_never_queues_a_second_copy_of_a_waiting_task(db, run_tasks):
    assert enqueue_periodic() == list(PERIODIC_TASKS)
    assert enqueue_periodic() == []
    waiting = list(DBTaskResult.objects.ready().values_list("task_path", flat=True))
    assert sorted(waiting) == sorted(PERIODIC_TASKS)
    run_tasks()
    assert not DBTaskResult.objects.ready().exists()
    assert enqueue_periodic() == list(PERIODIC_TASKS), "once a copy has run, the next tick queues it again"
    assert DBTaskResult.objects.ready().count() == len(PERIODIC_TASKS)
