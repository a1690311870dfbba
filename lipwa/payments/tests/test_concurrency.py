"""Many threads racing on one payment: row locks keep exactly one outcome (PostgreSQL; SQLite serialises)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection, connections

from lipwa.common.money import Money
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.services import payment_confirm, payment_create

from .factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 12


def _in_thread(function):
    def run(*args):
        try:
            return function(*args)
        except Exception as exc:
            return exc
        finally:
            connections.close_all()
    return run


def _race(function, arguments):
    barrier = threading.Barrier(len(arguments))

    def go(argument):
        barrier.wait()
        return function(argument)

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(_in_thread(go), arguments))


def test_racing_results_leave_one_final_state(merchant):
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant)
    results = [ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_9", receipt_number="ABC123DEF4",
                            amount=Money(10000, "KES"))] * (THREADS // 2) + [
        ChargeResult(ResultStatus.FAILED, gateway_reference="ws_CO_9",
                     failure_code=FailureCode.INSUFFICIENT_FUNDS)] * (THREADS // 2)
    outcomes = _race(lambda r: attempt_apply_result(attempt_id=attempt.id, result=r, source="callback"), results)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    payment.refresh_from_db()
    assert payment.status in ("succeeded", "failed")
    finals = PaymentEvent.objects.filter(payment=payment, type__in=["payment.succeeded", "payment.failed"])
    assert finals.count() == 1
    if connection.vendor == "postgresql":
        # Whatever lost the race contradicted a final answer, so the payment was flagged for a person.
        assert payment.needs_review


def test_racing_confirms_create_one_attempt(merchant):
    unreachable_mpesa_account(merchant)
    payment = payment_create(merchant=merchant, mode="test", amount=10000, currency="KES", method="mobile_money",
                             phone="0712345678", confirm=False)
    outcomes = _race(lambda _: payment_confirm(payment_id=payment.id), list(range(THREADS)))
    successes = [o for o in outcomes if isinstance(o, PaymentIntent)]
    assert len(successes) == 1, outcomes
    assert PaymentAttempt.objects.filter(payment=payment).count() == 1


def test_racing_requests_with_one_idempotency_key(lipwa_server, simulator_account, test_key):
    simulator_account("mpesa")
    body = {"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "0712345678"}

    def post(_):
        with httpx.Client(base_url=lipwa_server.url, timeout=30, trust_env=False) as client:
            return client.post("/v1/payments", json=body, headers={
                "Authorization": f"Bearer {test_key}", "Idempotency-Key": "same-key"})

    responses = _race(post, list(range(8)))
    assert not [r for r in responses if isinstance(r, Exception)], responses
    codes = sorted(r.status_code for r in responses)
    assert set(codes) <= {201, 409}, codes
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1, "every 201 is the same payment (the original or its replay)"
    assert PaymentIntent.objects.count() == 1
