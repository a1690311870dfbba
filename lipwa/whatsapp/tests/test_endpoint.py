"""The WhatsApp Flows data-exchange endpoint over real HTTP, with requests made by our own Meta harness."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from lipwa.connectors.testing.contract import wait_for
from lipwa.whatsapp.testing import MetaHarness

pytestmark = pytest.mark.django_db(transaction=True)

APP_SECRET = "meta-app-secret-0123456789"


@pytest.fixture
def flows(lipwa_server, merchant, simulator_account):
    """(post, harness, checkout session): an endpoint with a fresh key pair and an M-Pesa checkout session."""
    from lipwa.checkout.services import checkout_session_create
    from lipwa.whatsapp.services import flow_keys_generate

    simulator_account("mpesa")
    endpoint = flow_keys_generate(merchant=merchant, app_secret=APP_SECRET, actor="test")
    harness = MetaHarness(endpoint.public_key_pem, APP_SECRET)
    session = checkout_session_create(merchant=merchant, mode="test", amount=10000, currency="KES",
                                      description="Consultation", merchant_reference="visit-7")
    url = f"{lipwa_server.url}/flows/whatsapp/{merchant.id}"

    def post(payload: dict | None = None, *, body: bytes | None = None, headers: dict | None = None):
        sealed = harness.seal(payload) if payload is not None else None
        response = httpx.post(url, content=body if body is not None else sealed.body,
                              headers=headers if headers is not None else sealed.headers, timeout=20,
                              trust_env=False)
        if response.status_code == 200:
            assert response.headers["Content-Type"].startswith("text/plain")
            return response.status_code, sealed.open_answer(response.text)
        return response.status_code, response.json()

    return post, harness, session


def test_ping_is_answered_encrypted(flows):
    post, _, _ = flows
    assert post({"version": "3.0", "action": "ping"}) == (200, {"data": {"status": "active"}})


def _exchange(session, screen: str, data: dict) -> dict:
    return {"version": "3.0", "action": "data_exchange", "screen": screen, "data": data, "flow_token": session.id}


def test_customer_picks_mobile_money_and_pays(flows, run_tasks):
    from lipwa.payments.models import PaymentIntent

    post, _, session = flows
    status, init = post({"version": "3.0", "action": "INIT", "flow_token": session.id})
    assert status == 200 and init["screen"] == "PAYMENT_METHOD"
    assert init["data"]["amount"] == "KES 100.00" and init["data"]["description"] == "Consultation"
    assert {"id": "mobile_money", "title": "Mobile money"} in init["data"]["methods"]
    assert init["data"]["has_error"] is False

    _, refused = post(_exchange(session, "PAYMENT_METHOD", {"method": "mobile_money", "phone": "12"}))
    assert refused["screen"] == "PAYMENT_METHOD" and refused["data"]["has_error"] is True
    assert "phone" in refused["data"]["error_message"]
    assert not PaymentIntent.objects.exists()

    _, started = post(_exchange(session, "PAYMENT_METHOD", {"method": "mobile_money", "phone": "0712345678"}))
    assert started["screen"] == "PAYMENT_STATUS" and started["data"]["status"] == "processing"
    payment_id = started["data"]["payment"]
    _, again = post(_exchange(session, "PAYMENT_METHOD", {"method": "mobile_money", "phone": "0712345678"}))
    assert again["data"]["payment"] == payment_id and PaymentIntent.objects.count() == 1, "one payment per flow"

    wait_for(lambda: _callback_arrived(), "the simulator's callback")
    run_tasks()
    _, done = post(_exchange(session, "PAYMENT_STATUS", {}))
    assert done == {"version": "3.0", "screen": "SUCCESS", "data": {"extension_message_response": {"params": {
        "flow_token": session.id, "payment": payment_id, "status": "succeeded"}}}}
    payment = PaymentIntent.objects.get(id=payment_id)
    assert payment.amount_minor == 10000 and payment.merchant_reference == "visit-7"
    _, reopened = post({"version": "3.0", "action": "INIT", "flow_token": session.id})
    assert reopened["screen"] == "SUCCESS"


def _callback_arrived() -> bool:
    from lipwa.webhooks_in.models import InboundWebhook

    return InboundWebhook.objects.filter(connector_account__connector="mpesa").exists()


def test_a_declined_payment_returns_to_the_method_screen_and_can_be_retried(flows, run_tasks):
    from lipwa.payments.models import PaymentIntent

    post, _, session = flows
    _, started = post(_exchange(session, "PAYMENT_METHOD", {"method": "mobile_money", "phone": "0712345001"}))
    wait_for(lambda: _callback_arrived(), "the simulator's callback")
    run_tasks()
    _, declined = post(_exchange(session, "PAYMENT_STATUS", {}))
    assert declined["screen"] == "PAYMENT_METHOD" and "insufficient funds" in declined["data"]["error_message"]
    _, back = post({"version": "3.0", "action": "BACK", "screen": "PAYMENT_STATUS", "flow_token": session.id})
    assert back["screen"] == "PAYMENT_METHOD" and back["data"]["has_error"] is False
    _, retried = post(_exchange(session, "PAYMENT_METHOD", {"method": "mobile_money", "phone": "0712345678"}))
    assert retried["screen"] == "PAYMENT_STATUS" and retried["data"]["payment"] != started["data"]["payment"]
    assert PaymentIntent.objects.count() == 2


def test_client_error_notifications_are_acknowledged(flows):
    post, _, session = flows
    _, answer = post(_exchange(session, "PAYMENT_STATUS", {"error": "screen_render_failed"}))
    assert answer == {"version": "3.0", "data": {"acknowledged": True}}


def test_error_codes(flows, lipwa_server, merchant):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from lipwa.common import clock

    post, harness, session = flows
    ping = {"version": "3.0", "action": "ping"}
    sealed = harness.seal(ping)
    assert post(body=sealed.body, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})[0] == 432
    assert post(body=sealed.body, headers={})[0] == 432
    assert post(body=sealed.body + b" ", headers=sealed.headers)[0] == 432, "signed bytes, not parsed JSON"

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    stranger = MetaHarness(other_key, APP_SECRET).seal(ping)
    status, error = post(body=stranger.body, headers=stranger.headers)
    assert (status, error["error"]["code"]) == (421, "cannot_decrypt")

    envelope = json.loads(sealed.body)
    flow_data = bytearray(base64.b64decode(envelope["encrypted_flow_data"]))
    flow_data[0] ^= 1
    tampered = json.dumps({**envelope, "encrypted_flow_data": base64.b64encode(bytes(flow_data)).decode()}).encode()
    assert post(body=tampered, headers={"X-Hub-Signature-256": harness.sign(tampered)})[0] == 421

    for bad in (b"not json", b"[]", json.dumps({**envelope, "initial_vector": "!!"}).encode(),
                json.dumps({"encrypted_aes_key": envelope["encrypted_aes_key"]}).encode()):
        status, error = post(body=bad, headers={"X-Hub-Signature-256": harness.sign(bad)})
        assert (status, error["error"]["code"]) == (400, "malformed_request"), bad

    assert post({"version": "3.0", "action": "INIT", "flow_token": "cs_unknown"})[0] == 427
    assert post({"version": "3.0", "action": "INIT"})[0] == 427
    status, error = post({"version": "3.0", "action": "LAUNCH", "flow_token": session.id})
    assert (status, error["error"]["code"]) == (400, "bad_flow_request")
    assert post(_exchange(session, "NOWHERE", {}))[0] == 400

    missing = httpx.post(f"{lipwa_server.url}/flows/whatsapp/mer_nope", content=sealed.body, headers=sealed.headers,
                         trust_env=False)
    assert missing.status_code == 404
    assert httpx.get(f"{lipwa_server.url}/flows/whatsapp/{merchant.id}", trust_env=False).status_code == 405

    clock.advance(25 * 3600)  # past the session's 24 h window
    assert post({"version": "3.0", "action": "INIT", "flow_token": session.id})[0] == 427


def test_private_key_is_encrypted_at_rest_and_rotation_retires_the_old_key(flows, merchant):
    from lipwa.whatsapp.models import FlowEndpoint
    from lipwa.whatsapp.services import flow_keys_generate

    post, old_harness, _ = flows
    endpoint = FlowEndpoint.objects.get(merchant=merchant)
    old_public_key = endpoint.public_key_pem
    assert "PRIVATE KEY" not in endpoint.secrets_encrypted and APP_SECRET not in endpoint.secrets_encrypted
    assert APP_SECRET not in repr(endpoint)
    rotated = flow_keys_generate(merchant=merchant, actor="test")  # keeps the app secret
    assert rotated.public_key_pem != old_public_key
    assert post({"version": "3.0", "action": "ping"})[0] == 421, "the old public key no longer works"
    new = MetaHarness(rotated.public_key_pem, APP_SECRET)
    sealed = new.seal({"version": "3.0", "action": "ping"})
    response = httpx.post(f"{endpoint_url_of(merchant)}", content=sealed.body, headers=sealed.headers,
                          trust_env=False)
    assert response.status_code == 200 and sealed.open_answer(response.text) == {"data": {"status": "active"}}


def endpoint_url_of(merchant) -> str:
    from lipwa.whatsapp.services import endpoint_url

    return endpoint_url(merchant.id)
