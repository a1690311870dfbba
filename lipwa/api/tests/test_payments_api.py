"""/v1/payments over real HTTP against the live app and the M-Pesa simulator."""

from __future__ import annotations

import threading

import httpx
import pytest

from lipwa.connectors.testing.contract import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "0712345678",
        "merchant_reference": "order-1"}


@pytest.fixture
def api(lipwa_server, simulator_account, test_key):
    simulator_account("mpesa")
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"},
                      timeout=20, trust_env=False) as client:
        yield client


def test_create_retrieve_and_list(api, run_tasks):
    created = api.post("/v1/payments", json=BODY)
    assert created.status_code == 201, created.text
    payment = created.json()
    assert payment["id"].startswith("pay_")
    assert payment["provider"] == "mpesa", "routed by method, currency and the phone's country"
    assert payment["status"] == "processing"
    assert payment["amount"] == 10000 and payment["currency"] == "KES"
    assert payment["phone"] == "+254712345678"
    assert created.headers["Request-Id"].startswith("req_")
    wait_for(lambda: _callbacks(payment["provider"]), "the simulator's callback")
    run_tasks()
    fetched = api.get(f"/v1/payments/{payment['id']}").json()
    assert fetched["status"] == "succeeded"
    assert fetched["receipt_number"]
    listed = api.get("/v1/payments", params={"status": "succeeded"}).json()
    assert [p["id"] for p in listed["data"]] == [payment["id"]]


def _callbacks(connector: str):
    """This test's callbacks only: a late callback from an earlier test may still land (for no account)."""
    from lipwa.webhooks_in.models import InboundWebhook

    return InboundWebhook.objects.filter(connector_account__connector=connector).exists()


def test_cursor_pagination_walks_every_payment_once(api, lipwa_server, merchant):
    from lipwa.payments.tests.factories import payment_with_attempt

    ids = {payment_with_attempt(merchant)[0].id for _ in range(5)}
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"starting_after": cursor} if cursor else {})}
        page = api.get("/v1/payments", params=params).json()
        seen += [p["id"] for p in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["id"]
    assert seen == sorted(ids, reverse=True)


def test_cancel_pending_and_refuse_cancel_of_processing(api, merchant):
    from lipwa.payments.services import payment_create

    pending = payment_create(merchant=merchant, mode="test", amount=10000, currency="KES",
                             method="mobile_money", phone="0712345678", confirm=False)
    cancelled = api.post(f"/v1/payments/{pending.id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    processing = api.post("/v1/payments", json=BODY).json()
    refused = api.post(f"/v1/payments/{processing['id']}/cancel")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "payment_not_cancellable"


def test_idempotent_replay_returns_the_stored_response(api):
    first = api.post("/v1/payments", json=BODY, headers={"Idempotency-Key": "order-1-try"})
    again = api.post("/v1/payments", json=dict(reversed(list(BODY.items()))),
                     headers={"Idempotency-Key": "order-1-try"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    from lipwa.payments.models import PaymentIntent

    assert PaymentIntent.objects.count() == 1


def test_same_key_different_body_is_422(api):
    api.post("/v1/payments", json=BODY, headers={"Idempotency-Key": "k-1"})
    other = api.post("/v1/payments", json={**BODY, "amount": 20000}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_mismatch"
    assert other.json()["error"]["type"] == "idempotency_error"


def test_same_key_while_first_in_flight_is_409(api, lipwa_server, settings):
    from lipwa.payments.models import IdempotencyRecord

    settings.LIPWA_SIMULATOR_HANG_SECONDS = 2.0  # the first request hangs at the gateway
    slow_body = {**BODY, "phone": "0712345007"}
    results = {}
    first = threading.Thread(target=lambda: results.update(first=api.post(
        "/v1/payments", json=slow_body, headers={"Idempotency-Key": "slow"})))
    first.start()
    wait_for(lambda: IdempotencyRecord.objects.filter(key="slow", in_flight=True).exists(), "the first request")
    second = api.post("/v1/payments", json=slow_body, headers={"Idempotency-Key": "slow"})
    first.join(timeout=30)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "idempotency_key_in_use"
    assert results["first"].status_code == 201


def test_validation_errors_are_replayed_too(api):
    bad = {**BODY, "phone": "nonsense"}
    first = api.post("/v1/payments", json=bad, headers={"Idempotency-Key": "bad-1"})
    again = api.post("/v1/payments", json=bad, headers={"Idempotency-Key": "bad-1"})
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


def test_openapi_and_health(lipwa_server):
    with httpx.Client(base_url=lipwa_server.url, trust_env=False) as client:
        spec = client.get("/v1/openapi.json").json()
        assert "/v1/payments" in spec["paths"]
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "worker" in ready.json()["checks"]
        from lipwa.ops.services import heartbeat_record

        heartbeat_record()
        assert client.get("/readyz").status_code == 200
