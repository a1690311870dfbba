"""The simulator's callbacks: exact bodies, how many, and when (never before the checkout response, except in
scenario 008)."""

from __future__ import annotations

import json
import re
import socket

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.azampay.simulator import callbacks, state, views

from .test_simulator_support import (
    BANK,
    MNO,
    PHONE,
    URLCONF,
    Receiver,
    bank_body,
    headers,
    mno_body,
    post,
    status,
    token,
)

pytestmark = pytest.mark.urls(URLCONF)


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


def initiate(client, access_token, receiver, phone: str = PHONE, **overrides) -> dict:
    response = post(client, MNO, mno_body(phone=phone, callback_url=receiver.url, **overrides), access_token)
    assert response.status_code == 200, response.content
    return response.json()


def test_success_callback_has_every_documented_key(client, access_token, receiver):
    initiated = initiate(client, access_token, receiver, amount=1500, externalId="order-42",
                         additionalProperties={"order": "42"})
    assert receiver.wait_for(1)
    assert receiver.content_types == ["application/json"]
    body = receiver.bodies[0]
    # PROVIDERS.md 4.6: the callback is flat, with these keys.
    assert set(body) == {"msisdn", "amount", "message", "utilityref", "operator", "reference", "transactionstatus",
                         "submerchantAcc", "fspReferenceId", "additionalProperties"}
    assert body["utilityref"] == "order-42", "utilityref is the caller's externalId"
    assert body["reference"] == initiated["transactionId"]
    assert (body["transactionstatus"], body["message"]) == ("success", "Transaction successful")
    assert body["amount"] == "1500" and isinstance(body["amount"], str)
    assert (body["msisdn"], body["operator"], body["submerchantAcc"]) == (PHONE, "Mpesa", None)
    assert re.fullmatch(r"[A-Z0-9]{10}", body["fspReferenceId"])
    assert body["additionalProperties"] == {"order": "42"}


@pytest.mark.parametrize("phone, message", [
    ("255754123001", "Insufficient balance"),
    ("255754123002", "Transaction cancelled by user"),
    ("255754123003", "Transaction timed out: no response from user"),
    ("255754123009", "Invalid PIN entered"),
    ("255754120000", "Insufficient balance"),
])
def test_failure_callbacks_carry_the_reason_in_message(client, access_token, receiver, phone, message):
    initiate(client, access_token, receiver, phone=phone)
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert (body["transactionstatus"], body["message"], body["fspReferenceId"]) == ("failure", message, None)


def test_bank_checkout_callback(client, access_token, receiver):
    response = post(client, BANK, bank_body(account="0150123456009", callback_url=receiver.url,
                                            referenceId="bank-9"), access_token)
    assert response.status_code == 200
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert (body["utilityref"], body["operator"], body["msisdn"]) == ("bank-9", "CRDB", PHONE)
    assert (body["transactionstatus"], body["message"]) == ("failure", "Invalid OTP entered")


@pytest.mark.parametrize("phone, count", [("255754123005", 3), ("255754122222", 2)])
def test_duplicate_scenarios_deliver_identical_callbacks(client, access_token, receiver, phone, count):
    initiate(client, access_token, receiver, phone=phone)
    assert receiver.wait_for(count)
    assert not receiver.wait_for(count + 1, timeout=0.2)
    assert len(set(receiver.raw)) == 1
    assert receiver.bodies[0]["transactionstatus"] == "success"


def test_scenario_004_sends_no_callback_but_the_status_query_resolves(client, access_token, receiver):
    silent = initiate(client, access_token, receiver, phone="255754123004")
    assert state.timers_pending() == 0
    # A later checkout's callback arriving proves the simulator had its chance to send the first one.
    later = initiate(client, access_token, receiver, phone="255754123456", externalId="later")
    assert receiver.wait_for(1)
    assert not receiver.wait_for(2, timeout=0.2)
    assert [b["reference"] for b in receiver.bodies] == [later["transactionId"]]
    assert status(client, access_token, silent["transactionId"]).json()["data"] == "success"


def test_scenario_1111_never_calls_back_and_stays_pending(client, access_token, receiver):
    initiated = initiate(client, access_token, receiver, phone="255754121111")
    assert state.timers_pending() == 0
    clock.advance(7 * 24 * 3600)
    assert status(client, token(client), initiated["transactionId"]).json()["data"] == "pending"
    assert receiver.raw == []


def test_scenario_008_callback_arrives_before_the_checkout_response(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    initiated = initiate(client, access_token, receiver, phone="255754123008")
    # No waiting: the POST completed inside the view, before the response above was built.
    assert len(receiver.raw) == 1
    assert receiver.bodies[0]["reference"] == initiated["transactionId"]
    assert state.timers_pending() == 0
    assert status(client, access_token, initiated["transactionId"]).json()["data"] == "success"


def test_callback_is_only_scheduled_once_the_response_is_sent(db, access_token, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    body = json.dumps(mno_body(callback_url=receiver.url))
    request = RequestFactory().post("/azampay/mno/checkout", data=body, content_type="application/json",
                                    **headers(access_token))
    response = views.mno_checkout(request)  # called directly: nothing has "sent" this response yet
    assert response.status_code == 200
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what a WSGI server does after writing the last byte
    assert receiver.wait_for(1)


def test_without_a_callback_url_nothing_is_sent(client, access_token, receiver):
    body = mno_body()
    del body["callbackUrl"]
    assert post(client, MNO, body, access_token).status_code == 200
    initiate(client, access_token, receiver, externalId="second")
    assert receiver.wait_for(1)
    assert [b["utilityref"] for b in receiver.bodies] == ["second"]


def test_unreachable_callback_url_is_logged_not_raised(client, access_token, caplog):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    response = post(client, MNO, mno_body(callback_url=f"http://127.0.0.1:{port}/cb"), access_token)
    assert response.status_code == 200
    [checkout] = state.checkouts_snapshot()
    callbacks.deliver(checkout)  # synchronously, to observe the outcome without waiting on the timer
    assert any(d.reference == checkout.external_id and d.status is None for d in state.deliveries_snapshot())
    assert "callback to" in caplog.text


def test_reset_cancels_callbacks_not_yet_sent(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    initiate(client, access_token, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0
    assert state.checkouts_snapshot() == []
