"""A keyed request whose process died (kill -9, a crash) leaves its record in flight: after
LIPWA_IDEMPOTENCY_STALE_SECONDS a retry takes the key over, and gets what the dead run created instead of a
second payment (found by the kill -9 fault injection: the key answered 409 for 24 hours)."""

from __future__ import annotations

import json

import pytest

from lipwa.common import clock
from lipwa.payments.idempotency import idempotency_begin, idempotency_scope
from lipwa.payments.models import IdempotencyRecord, PaymentIntent
from lipwa.payments.services import payment_create

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"amount": 10000, "currency": "KES", "method": "mobile_money", "provider": "mpesa", "phone": "0712345678",
        "merchant_reference": "order-abandoned"}


@pytest.fixture
def account(simulator_account):
    return simulator_account("mpesa")


def post(client, test_key):
    return client.post("/v1/payments", data=json.dumps(BODY), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {test_key}", HTTP_IDEMPOTENCY_KEY="order-abandoned")


def dead_request(merchant) -> IdempotencyRecord:
    """What a request leaves behind when its process is killed right after claiming the key."""
    record, stored = idempotency_begin(merchant=merchant, mode="test", key="order-abandoned", method="POST",
                                       path="/v1/payments", body=json.dumps(BODY).encode())
    assert stored is None
    return record


def past_stale(settings):
    clock.advance(settings.LIPWA_IDEMPOTENCY_STALE_SECONDS + 1)


def test_a_retry_while_the_first_may_still_run_is_409(client, account, merchant, test_key):
    dead_request(merchant)
    response = post(client, test_key)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_use"


def test_died_before_creating_anything_the_retry_creates_the_payment(client, account, merchant, test_key, settings):
    dead_request(merchant)
    past_stale(settings)
    response = post(client, test_key)
    assert response.status_code == 201, response.content
    assert PaymentIntent.objects.filter(merchant_reference="order-abandoned").count() == 1
    replay = post(client, test_key)
    assert (replay.status_code, replay.json()["id"]) == (201, response.json()["id"])
    assert replay["Idempotent-Replayed"] == "true"


def test_died_between_creating_and_charging_the_retry_charges_that_payment(client, account, merchant, test_key,
                                                                             settings):
    record = dead_request(merchant)
    with idempotency_scope(record):
        created = payment_create(merchant=merchant, mode="test", amount=10000, currency="KES",
                                 method="mobile_money", provider="mpesa", phone="0712345678",
                                 merchant_reference="order-abandoned", confirm=False)
    past_stale(settings)
    response = post(client, test_key)
    assert (response.status_code, response.json()["id"], response.json()["status"]) == (201, created.id,
                                                                                         "processing")
    assert PaymentIntent.objects.filter(merchant_reference="order-abandoned").count() == 1
    assert created.attempts.count() == 1


def test_died_after_charging_the_retry_returns_the_payment_without_charging_again(client, account, merchant,
                                                                                   test_key, settings):
    record = dead_request(merchant)
    with idempotency_scope(record):
        created = payment_create(merchant=merchant, mode="test", amount=10000, currency="KES",
                                 method="mobile_money", provider="mpesa", phone="0712345678",
                                 merchant_reference="order-abandoned")
    past_stale(settings)
    response = post(client, test_key)
    assert (response.status_code, response.json()["id"]) == (201, created.id)
    assert created.attempts.count() == 1, "the customer is prompted once"


def test_only_one_of_two_concurrent_retries_takes_the_key_over(merchant, settings):
    from lipwa.common.errors import IdempotencyError

    dead_request(merchant)
    past_stale(settings)
    body = json.dumps(BODY).encode()
    first, _ = idempotency_begin(merchant=merchant, mode="test", key="order-abandoned", method="POST",
                                 path="/v1/payments", body=body)
    assert first is not None
    with pytest.raises(IdempotencyError):
        idempotency_begin(merchant=merchant, mode="test", key="order-abandoned", method="POST",
                          path="/v1/payments", body=body)
