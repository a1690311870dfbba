"""A payment through the API, the Daraja simulator and its callback ends as signed webhooks at the merchant."""

from __future__ import annotations

import json

import httpx
import pytest

from lipwa.common import clock
from lipwa.connectors.testing.contract import wait_for
from lipwa.webhooks_out.signing import verify_signature
from lipwa.webhooks_out.tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    settings.LIPWA_WEBHOOK_TIMEOUT_SECONDS = 2
    server = Receiver()
    yield server
    server.close()


def test_payment_events_reach_the_merchant_signed(lipwa_server, simulator_account, test_key, receiver, run_tasks):
    from lipwa.webhooks_in.models import InboundWebhook

    simulator_account("mpesa")
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as api:
        endpoint = api.post("/v1/webhook_endpoints", json={
            "url": receiver.url, "enabled_events": ["payment.processing", "payment.succeeded"]}).json()
        payment = api.post("/v1/payments", json={"amount": 10000, "currency": "KES", "method": "mobile_money",
                                                 "phone": "0712345678"}).json()
        wait_for(InboundWebhook.objects.exists, "the simulator's callback")
        run_tasks()
        events = api.get("/v1/events", params={"type": "payment.*"}).json()["data"]
        deliveries = api.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries").json()["data"]
    received = [json.loads(r.body) for r in receiver.requests]
    assert sorted(e["type"] for e in received) == ["payment.processing", "payment.succeeded"]
    assert {e["data"]["object"]["id"] for e in received} == {payment["id"]}
    for request in receiver.requests:
        verify_signature(request.body, request.headers["lipwa-signature"], endpoint["secret"],
                         now=clock.now().timestamp())
    assert {e["id"] for e in received} <= {e["id"] for e in events}
    assert [d["status"] for d in deliveries] == ["succeeded", "succeeded"]
