"""The Airtel simulator's callbacks: exact bodies and hashes, how many, and when (never before the push
response, except in scenario 008)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.airtel.simulator import callbacks, state, views
from lipwa.connectors.testing.contract import wait_for

from .test_simulator_support import UG, URLCONF, Receiver, collection_body, compact, post, token

pytestmark = pytest.mark.urls(URLCONF)
V1 = "/merchant/v1/payments/"


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    clock.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def access_token(client) -> str:
    return token(client)


def initiate(client, access_token, receiver, msisdn: str = "752123000", transaction_id: str = "txn-1"):
    response = post(client, V1, collection_body(msisdn=msisdn, transaction_id=transaction_id), access_token,
                    callback_url=receiver.url)
    assert response.status_code == 200, response.content
    return response


def test_success_callback_is_exactly_airtel_s(client, access_token, receiver):
    initiate(client, access_token, receiver)
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert set(body) == {"transaction", "hash"}
    transaction = body["transaction"]
    assert list(transaction) == ["id", "message", "status_code", "airtel_money_id"]
    stored = state.collections_snapshot()[0]
    assert (transaction["id"], transaction["status_code"], transaction["airtel_money_id"]) == (
        "txn-1", "TS", stored.airtel_money_id)
    assert transaction["message"] == f"Paid UGX 1,000 to LIPWA SIMULATOR, Trans ID {stored.airtel_money_id}."


def test_the_hash_is_over_the_compact_re_serialisation_not_the_sent_text(client, access_token, receiver):
    initiate(client, access_token, receiver)
    assert receiver.wait_for(1)
    raw = receiver.raw[0]
    transaction = json.loads(raw)["transaction"]
    expected = base64.b64encode(hmac.new(b"sim_secret", compact(transaction), hashlib.sha256).digest()).decode()
    assert json.loads(raw)["hash"] == expected
    assert b'"status_code": "TS"' in raw, "the body is sent with spaces, unlike the hashed form (§3.6 quirk)"


def test_the_hash_known_answer():
    # PROVIDERS.md §3.6 sample transaction; the value computed with `openssl dgst -sha256 -hmac sim_secret`.
    sample = {"id": "BBZMiscxy", "message": "Paid UGX 5,000 to TECHNOLOGIES LIMITED Charge UGX 140, Trans ID "
              "MP210603.1234.L06941.", "status_code": "TS", "airtel_money_id": "MP210603.1234.L06941"}
    assert callbacks.transaction_hash(sample) == "qDOToBuq5h9cxs8juVlRJ2gLy1Om/WqnXotnzRULXas="


@pytest.mark.parametrize("msisdn, status_code", [("752123001", "TF"), ("752123002", "TF"), ("752123003", "TF"),
                                                 ("752123009", "TF")])
def test_declines_call_back_tf(client, access_token, receiver, msisdn, status_code):
    initiate(client, access_token, receiver, msisdn=msisdn)
    assert receiver.wait_for(1)
    assert receiver.bodies[0]["transaction"]["status_code"] == status_code


def test_scenario_004_never_calls_back(client, access_token, receiver):
    initiate(client, access_token, receiver, msisdn="752123004")
    initiate(client, access_token, receiver, msisdn="752123000", transaction_id="txn-2")
    assert receiver.wait_for(1)
    wait_for(lambda: state.timers_pending() == 0, "the txn-2 delivery to finish")
    assert [body["transaction"]["id"] for body in receiver.bodies] == ["txn-2"]


def test_scenario_005_sends_the_same_body_three_times(client, access_token, receiver):
    initiate(client, access_token, receiver, msisdn="752123005")
    assert receiver.wait_for(3)
    assert len(set(receiver.raw)) == 1


def test_scenario_008_calls_back_before_the_response(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    initiate(client, access_token, receiver, msisdn="752123008")
    assert len(receiver.raw) == 1  # no waiting: the POST completed inside the view
    assert state.timers_pending() == 0
    enquiry = client.get("/simulators/airtel/standard/v1/payments/txn-1", HTTP_AUTHORIZATION=f"Bearer {access_token}",
                         **UG)
    assert enquiry.json()["data"]["transaction"]["status"] == "TS", "final at once despite the delay"


def test_the_callback_is_only_scheduled_once_the_response_is_sent(db, access_token, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    request = RequestFactory().post("/merchant/v1/payments/", data=compact(collection_body()),
                                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {access_token}",
                                    HTTP_X_CALLBACK_URL=receiver.url, **UG)
    response = views.collect(request, "v1")
    assert response.status_code == 200
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what a WSGI server does after writing the last byte
    assert receiver.wait_for(1)


def test_without_a_callback_url_nothing_is_sent(client, access_token, caplog):
    post(client, V1, collection_body(msisdn="752123008"), access_token)
    assert state.deliveries_snapshot() == [] and "no callback URL" in caplog.text


def test_an_unreachable_callback_url_is_logged_not_raised(client, access_token, caplog):
    post(client, V1, collection_body(msisdn="752123008"), access_token, callback_url="http://127.0.0.1:9/cb")
    assert [d.status for d in state.deliveries_snapshot()] == [None]
    assert "callback to" in caplog.text


def test_reset_cancels_callbacks_not_yet_sent(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    initiate(client, access_token, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0 and state.collections_snapshot() == []
