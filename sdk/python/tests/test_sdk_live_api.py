"""The SDK against the real lipwa server over 127.0.0.1, with the M-Pesa simulator behind it."""

from __future__ import annotations

import asyncio

import pytest
from lipwa_sdk import AsyncLipwa, AuthenticationError, InvalidRequestError, Lipwa, NotFoundError

from lipwa.connectors.testing.contract import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CHARGE = {"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "0712345678",
          "merchant_reference": "order-1"}


@pytest.fixture
def client(lipwa_server, simulator_account, test_key):
    simulator_account("mpesa")
    with Lipwa(test_key, base_url=lipwa_server.url, timeout=20) as sdk:
        yield sdk


def _payment_count() -> int:
    from lipwa.payments.models import PaymentIntent

    return PaymentIntent.objects.count()


def test_create_then_succeeded_after_the_simulator_pays(client, run_tasks):
    from lipwa.webhooks_in.models import InboundWebhook

    payment = client.payments.create(**CHARGE)
    assert payment["id"].startswith("pay_") and payment["status"] == "processing"
    assert payment["provider"] == "mpesa" and payment["amount"] == 10000
    wait_for(lambda: InboundWebhook.objects.filter(connector_account__connector="mpesa").exists(),
             "the simulator's callback")
    run_tasks()
    fetched = client.payments.retrieve(payment["id"])
    assert fetched["status"] == "succeeded" and fetched["receipt_number"]
    assert client.payments.receipt(payment["id"]).startswith(b"%PDF")
    assert [p["id"] for p in client.payments.list(status="succeeded")] == [payment["id"]]
    types = {e["type"] for e in client.events.list_all(type="payment.*")}
    assert "payment.succeeded" in types


def test_list_auto_paging_walks_every_payment_once(client, merchant):
    from lipwa.payments.tests.factories import payment_with_attempt

    ids = {payment_with_attempt(merchant)[0].id for _ in range(5)}
    page = client.payments.list(limit=2)
    assert len(page) == 2 and page.has_more
    assert [p["id"] for p in page.auto_paging_iter()] == sorted(ids, reverse=True)
    assert [p["id"] for p in client.payments.list_all(limit=2)] == sorted(ids, reverse=True)


def test_events_oldest_first_page_after_a_cursor(client, merchant):
    from lipwa.payments.tests.factories import payment_with_attempt

    for _ in range(3):
        payment_with_attempt(merchant)
    newest_first = [e["id"] for e in client.events.list_all(limit=2)]
    assert [e["id"] for e in client.events.list_all(order="asc", limit=2)] == newest_first[::-1]
    after_first = client.events.list_all(order="asc", starting_after=newest_first[-1], limit=1)
    assert [e["id"] for e in after_first] == newest_first[-2::-1]


def test_validation_error_is_typed_with_param_and_request_id(client):
    with pytest.raises(InvalidRequestError) as caught:
        client.payments.create(**{**CHARGE, "phone": "nonsense"})
    error = caught.value
    assert error.status == 400 and error.param == "phone" and error.type == "invalid_request_error"
    assert error.request_id.startswith("req_") and error.message
    with pytest.raises(InvalidRequestError) as caught:
        client.payments.list(status="paid")
    assert caught.value.param == "status"
    with pytest.raises(NotFoundError):
        client.payments.retrieve("pay_missing")
    assert _payment_count() == 0


def test_bad_key_is_an_authentication_error(lipwa_server, merchant):
    with Lipwa("sk_test_not_a_real_key_0000000000", base_url=lipwa_server.url) as sdk:
        with pytest.raises(AuthenticationError) as caught:
            sdk.payments.list()
    assert caught.value.status == 401 and caught.value.request_id.startswith("req_")


def test_the_same_explicit_key_replays_the_same_payment(client):
    first = client.payments.create(**CHARGE, idempotency_key="order-1-try")
    again = client.payments.create(**CHARGE, idempotency_key="order-1-try")
    assert again == first
    assert _payment_count() == 1
    other = client.payments.create(**CHARGE)  # a generated key: a new payment
    assert other["id"] != first["id"] and _payment_count() == 2


def test_webhook_endpoint_lifecycle(client):
    endpoint = client.webhook_endpoints.create(url="http://127.0.0.2:9/hooks", enabled_events=["*"])
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in client.webhook_endpoints.retrieve(endpoint["id"])
    assert [e["id"] for e in client.webhook_endpoints.list()] == [endpoint["id"]]
    rotated = client.webhook_endpoints.rotate_secret(endpoint["id"], overlap_seconds=0)
    assert rotated["secret"] != endpoint["secret"]
    assert client.webhook_endpoints.delete(endpoint["id"])["deleted"] is True
    assert client.balance.retrieve()["object"] == "balance"


def test_async_client_creates_and_retrieves(lipwa_server, simulator_account, test_key):
    simulator_account("mpesa")

    async def run():
        async with AsyncLipwa(test_key, base_url=lipwa_server.url, timeout=20) as sdk:
            created = await sdk.payments.create(**CHARGE)
            fetched = await sdk.payments.retrieve(created["id"])
            listed = [p["id"] async for p in sdk.payments.list_all(limit=1)]
            return created, fetched, listed

    created, fetched, listed = asyncio.run(run())
    assert fetched["id"] == created["id"] and fetched["amount"] == 10000
    assert listed == [created["id"]]
