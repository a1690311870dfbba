"""The Daraja simulator's callbacks: exact bodies, how many, and when (never before the initiate response,
except in scenario 008)."""

from __future__ import annotations

import json
import re
import socket

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.mpesa.simulator import state, views

from .test_simulator_support import (
    PHONE,
    URLCONF,
    Receiver,
    push,
    push_body,
    query,
    query_body,
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
    response = push(client, access_token, push_body(phone=phone, callback_url=receiver.url, **overrides))
    assert response.status_code == 200, response.content
    return response.json()


def items_by_name(callback: dict) -> dict:
    return {item["Name"]: item.get("Value") for item in callback["CallbackMetadata"]["Item"]}


def test_success_callback_is_exactly_daraja_s(client, access_token, receiver):
    initiated = initiate(client, access_token, receiver, Amount="150")
    assert receiver.wait_for(1)
    assert receiver.content_types == ["application/json"]
    # Amount keeps Daraja's two decimals on the wire: a JSON number that is not an int literal.
    assert re.search(rb'"Name": "Amount", "Value": 150\.00\}', receiver.raw[0])
    callback = receiver.bodies[0]["Body"]["stkCallback"]
    assert set(receiver.bodies[0]) == {"Body"} and set(receiver.bodies[0]["Body"]) == {"stkCallback"}
    assert set(callback) == {"MerchantRequestID", "CheckoutRequestID", "ResultCode", "ResultDesc", "CallbackMetadata"}
    assert callback["MerchantRequestID"] == initiated["MerchantRequestID"]
    assert callback["CheckoutRequestID"] == initiated["CheckoutRequestID"]
    assert callback["ResultCode"] == 0 and type(callback["ResultCode"]) is int
    assert callback["ResultDesc"] == "The service request is processed successfully."
    assert [item["Name"] for item in callback["CallbackMetadata"]["Item"]] == [
        "Amount", "MpesaReceiptNumber", "TransactionDate", "PhoneNumber"]
    items = items_by_name(callback)
    assert items["Amount"] == 150
    assert re.fullmatch(r"[A-Z0-9]{10}", items["MpesaReceiptNumber"])
    assert type(items["TransactionDate"]) is int and re.fullmatch(r"20[0-9]{12}", str(items["TransactionDate"]))
    assert items["PhoneNumber"] == int(PHONE) and type(items["PhoneNumber"]) is int


@pytest.mark.parametrize(("phone", "code", "desc"), [
    ("254708374001", 1, "The balance is insufficient for the transaction."),
    ("254708374002", 1032, "Request cancelled by user"),
    ("254708374003", 1037, "DS timeout user cannot be reached"),
    ("254708374009", 2001, "The initiator information is invalid."),
])
def test_failure_callbacks_have_numeric_codes_and_no_metadata(client, access_token, receiver, phone, code, desc):
    initiated = initiate(client, access_token, receiver, phone=phone)
    assert receiver.wait_for(1)
    assert receiver.bodies == [{"Body": {"stkCallback": {
        "MerchantRequestID": initiated["MerchantRequestID"],
        "CheckoutRequestID": initiated["CheckoutRequestID"],
        "ResultCode": code,
        "ResultDesc": desc,
    }}}]


def test_transaction_date_is_east_africa_time(client, access_token, receiver):
    from datetime import UTC, datetime

    clock.freeze(datetime(2024, 12, 31, 22, 30, 15, tzinfo=UTC))
    initiate(client, access_token, receiver)
    assert receiver.wait_for(1)
    items = items_by_name(receiver.bodies[0]["Body"]["stkCallback"])
    assert items["TransactionDate"] == 20250101013015
    assert items["MpesaReceiptNumber"].startswith("TA1")  # 2025, January, 1st


def test_scenario_005_delivers_three_identical_callbacks(client, access_token, receiver):
    initiate(client, access_token, receiver, phone="254708374005")
    assert receiver.wait_for(3)
    assert len(receiver.raw) == 3
    assert receiver.raw[0] == receiver.raw[1] == receiver.raw[2]
    assert receiver.bodies[0]["Body"]["stkCallback"]["ResultCode"] == 0


def test_scenario_004_sends_no_callback_but_the_query_resolves(client, access_token, receiver):
    silent = initiate(client, access_token, receiver, phone="254708374004")
    assert state.timers_pending() == 0
    # A later request's callback arriving proves the simulator had its chance to send the first one.
    later = initiate(client, access_token, receiver, phone="254708374149")
    assert receiver.wait_for(1)
    assert not receiver.wait_for(2, timeout=0.2)
    assert [b["Body"]["stkCallback"]["CheckoutRequestID"] for b in receiver.bodies] == [later["CheckoutRequestID"]]
    assert [d.reference for d in state.deliveries_snapshot()] == [later["CheckoutRequestID"]]
    answer = query(client, access_token, query_body(silent["CheckoutRequestID"])).json()
    assert answer["ResultCode"] == "0"


def test_scenario_008_callback_arrives_before_the_initiate_response(client, access_token, receiver):
    initiated = initiate(client, access_token, receiver, phone="254708374008")
    # No waiting: the POST completed inside the view, before the response above was built.
    assert len(receiver.raw) == 1
    assert receiver.bodies[0]["Body"]["stkCallback"]["CheckoutRequestID"] == initiated["CheckoutRequestID"]
    assert state.timers_pending() == 0
    assert query(client, access_token, query_body(initiated["CheckoutRequestID"])).json()["ResultCode"] == "0"


def test_scenario_008_is_final_at_once_even_with_a_delay(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    initiated = initiate(client, access_token, receiver, phone="254708374008")
    assert len(receiver.raw) == 1
    assert query(client, access_token, query_body(initiated["CheckoutRequestID"])).status_code == 200


def test_callback_is_only_scheduled_once_the_response_is_sent(db, access_token, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    body = json.dumps(push_body(callback_url=receiver.url))
    request = RequestFactory().post("/mpesa/stkpush/v1/processrequest", data=body, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {access_token}")
    response = views.stk_push(request)  # called directly: nothing has "sent" this response yet
    assert response.status_code == 200
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what a WSGI server does after writing the last byte
    assert receiver.wait_for(1)


def test_over_long_account_reference_fails_with_1025(client, access_token, receiver):
    initiated = initiate(client, access_token, receiver, AccountReference="A-very-long-reference")
    assert receiver.wait_for(1)
    assert receiver.bodies[0]["Body"]["stkCallback"]["ResultCode"] == 1025
    assert query(client, access_token, query_body(initiated["CheckoutRequestID"])).json()["ResultCode"] == "1025"


def test_unreachable_callback_url_is_logged_not_raised(client, access_token, caplog):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    response = push(client, access_token, push_body(callback_url=f"http://127.0.0.1:{port}/cb"))
    assert response.status_code == 200
    checkout_id = response.json()["CheckoutRequestID"]
    request = state.stk_get(checkout_id)
    from lipwa.connectors.mpesa.simulator import callbacks

    callbacks.deliver(request)  # synchronously, to observe the outcome without waiting on the timer
    assert any(d.reference == checkout_id and d.status is None for d in state.deliveries_snapshot())
    assert "callback to" in caplog.text


def test_reset_cancels_callbacks_not_yet_sent(client, access_token, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    initiate(client, access_token, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0
    assert state.requests_snapshot() == []
