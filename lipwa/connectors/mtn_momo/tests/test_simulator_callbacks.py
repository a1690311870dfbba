"""The simulator's callbacks: exact bodies (no X-Reference-Id), how many, and when (never before the 202, except in
scenario 008)."""

from __future__ import annotations

import json
import socket

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.mtn_momo.simulator import callbacks, operations, state

from .test_simulator_support import Receiver, headers, request_to_pay, rtp_body, status, token

pytestmark = pytest.mark.urls("lipwa.connectors.mtn_momo.tests.test_simulator_support")


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


def initiate(client, access_token, receiver, phone: str = "256772123456", **body) -> str:
    response, reference = request_to_pay(client, access_token, rtp_body(phone=phone, **body),
                                         callback_url=receiver.url)
    assert response.status_code == 202, response.content
    return reference


def test_success_callback_is_the_status_body_without_the_reference(client, access_token, receiver):
    reference = initiate(client, access_token, receiver, amount="2500")
    assert receiver.wait_for(1)
    assert (receiver.methods, receiver.content_types) == (["POST"], ["application/json"])
    callback = receiver.bodies[0]
    assert callback == status(client, access_token, reference).json()
    assert reference not in receiver.raw[0].decode(), "MTN's callback does not carry the X-Reference-Id (2.6)"
    assert (callback["status"], callback["amount"], callback["externalId"]) == ("SUCCESSFUL", "2500", "order-1")
    assert callback["financialTransactionId"].isdigit()


@pytest.mark.parametrize("phone, reason", [("256772123001", "NOT_ENOUGH_FUNDS"), ("256772123002", "APPROVAL_REJECTED"),
                                           ("256772123003", "EXPIRED"), ("256772123009", "INTERNAL_PROCESSING_ERROR"),
                                           ("46733123463", "COULD_NOT_PERFORM_TRANSACTION")])
def test_failure_callbacks_carry_the_reason(client, access_token, receiver, phone, reason):
    initiate(client, access_token, receiver, phone=phone)
    assert receiver.wait_for(1)
    callback = receiver.bodies[0]
    assert (callback["status"], callback["reason"]) == ("FAILED", reason)
    assert "financialTransactionId" not in callback


def test_scenario_005_delivers_three_identical_callbacks(client, access_token, receiver):
    initiate(client, access_token, receiver, phone="256772123005")
    assert receiver.wait_for(3)
    assert len(receiver.raw) == 3
    assert receiver.raw[0] == receiver.raw[1] == receiver.raw[2]


def test_scenario_004_and_the_ongoing_number_send_no_callback(client, access_token, receiver):
    silent = initiate(client, access_token, receiver, phone="256772123004")
    initiate(client, access_token, receiver, phone="46733123453")
    assert state.timers_pending() == 0
    # A later request's callback arriving proves the simulator had its chance to send the first ones.
    initiate(client, access_token, receiver, phone="256772123456")
    assert receiver.wait_for(1)
    assert not receiver.wait_for(2, timeout=0.2)
    assert status(client, access_token, silent).json()["status"] == "SUCCESSFUL"


def test_no_callback_without_a_callback_url(client, access_token):
    response, _ = request_to_pay(client, access_token)
    assert response.status_code == 202
    assert state.timers_pending() == 0 and state.deliveries_snapshot() == []


def test_scenario_008_callback_arrives_before_the_202(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    reference = initiate(client, access_token, receiver, phone="256772123008")
    # No waiting: the POST completed inside the view, before the response above was built.
    assert len(receiver.raw) == 1 and receiver.bodies[0]["status"] == "SUCCESSFUL"
    assert state.timers_pending() == 0
    assert status(client, access_token, reference).json()["status"] == "SUCCESSFUL"


def test_callback_is_only_scheduled_once_the_response_is_sent(db, access_token, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    request = RequestFactory().post(
        "/collection/v1_0/requesttopay", data=json.dumps(rtp_body()), content_type="application/json",
        **headers(access_token, reference="9b2f6c1e-3d4a-4b5c-8d7e-0f1a2b3c4d5e", callback_url=receiver.url))
    response = operations.request_to_pay(request)  # called directly: nothing has "sent" this response yet
    assert response.status_code == 202
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what a WSGI server does after writing the last byte
    assert receiver.wait_for(1)


def test_unreachable_callback_url_is_logged_not_raised(client, access_token, caplog):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _, reference = request_to_pay(client, access_token, callback_url=f"http://127.0.0.1:{port}/cb")
    callbacks.deliver(state.operation_get("requesttopay", reference))  # synchronously, to observe the outcome
    assert any(d.reference == reference and d.status is None for d in state.deliveries_snapshot())
    assert "callback to" in caplog.text


def test_reset_cancels_callbacks_not_yet_sent(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    initiate(client, access_token, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0
    assert state.operations_snapshot() == []
