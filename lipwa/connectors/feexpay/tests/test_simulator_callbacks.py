"""The FeexPay simulator's webhooks: exact bodies and signatures, how many, and when (never before the initiate
response, except in scenario 008)."""

from __future__ import annotations

import json
import socket

import pytest
from django.test import Client, RequestFactory

from lipwa.connectors.feexpay.simulator import callbacks, state, views

from .test_simulator_support import PHONE, URLCONF, Receiver, push, push_body, signature, status

pytestmark = pytest.mark.urls(URLCONF)

# PROVIDERS.md 5.4's observed field set, plus lipwa's webhook id (P).
WEBHOOK_FIELDS = {"webhook_id", "reference", "amount", "status", "reason", "responsemsg", "callback_info", "email",
                  "type", "phoneNumber", "date", "reseau", "ref_link", "description", "ref_operator"}


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def client() -> Client:
    return Client()


def initiate(client, receiver, phone: str = PHONE, network: str = "mtn") -> dict:
    response = push(client, push_body(phone=phone, webhook_url=receiver.url), network)
    assert response.status_code == 200, response.content
    return response.json()


def test_success_webhook_is_signed_and_has_the_5_4_fields(client, receiver):
    initiated = initiate(client, receiver)
    assert receiver.wait_for(1)
    raw, headers, body = receiver.raw[0], receiver.headers[0], receiver.bodies[0]
    assert set(body) == WEBHOOK_FIELDS
    assert (body["reference"], body["status"], body["amount"], body["reason"]) == (
        initiated["reference"], "SUCCESSFUL", 5000, None)
    assert (body["callback_info"], body["email"], body["type"], body["phoneNumber"]) == (
        "order-42", "a@b.co", "Paiement", PHONE)
    assert (body["reseau"], body["ref_link"], body["description"]) == ("MTN BJ", None, "Commande BZ000005")
    assert body["ref_operator"].isdigit() and body["date"].endswith("Z")
    assert headers["content-type"] == "application/json"
    assert headers["x-webhook-signature"] == signature(raw)
    assert headers["x-webhook-id"] == body["webhook_id"]
    assert headers["authorization"] == "Bearer sim_secret"  # 5.8's convention, sent as well


@pytest.mark.parametrize("suffix, reason", [("001", "LOW_BALANCE"), ("002", "CANCELLED_BY_CUSTOMER"),
                                            ("003", "TIMEOUT"), ("009", "INVALID_PIN"), ("010", "LOW_BALANCE"),
                                            ("011", "PAYER_NOT_FOUND")])
def test_failure_webhooks_carry_the_reason(client, receiver, suffix, reason):
    initiate(client, receiver, phone=PHONE[:-3] + suffix)
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert (body["status"], body["reason"], body["ref_operator"]) == ("FAILED", reason, None)


def test_reseau_names_operator_and_country(client, receiver):
    initiate(client, receiver, phone="2250701100149", network="orange_ci")
    assert receiver.wait_for(1)
    assert receiver.bodies[0]["reseau"] == "ORANGE CI"


@pytest.mark.parametrize("suffix, count", [("005", 3), ("013", 2)])
def test_redeliveries_are_identical_with_one_webhook_id(client, receiver, suffix, count):
    initiate(client, receiver, phone=PHONE[:-3] + suffix)
    assert receiver.wait_for(count)
    assert len(set(receiver.raw)) == 1
    assert len({headers["x-webhook-id"] for headers in receiver.headers}) == 1


def test_scenario_004_sends_no_webhook_but_the_status_query_resolves(client, receiver):
    silent = initiate(client, receiver, phone=PHONE[:-3] + "004")
    assert state.timers_pending() == 0
    later = initiate(client, receiver)  # its webhook arriving proves the first had its chance
    assert receiver.wait_for(1)
    assert not receiver.wait_for(2, timeout=0.2)
    assert [body["reference"] for body in receiver.bodies] == [later["reference"]]
    assert status(client, silent["reference"]).json()["status"] == "SUCCESSFUL"


def test_scenario_008_webhook_arrives_before_the_initiate_response(client, receiver):
    initiated = initiate(client, receiver, phone=PHONE[:-3] + "008")
    assert len(receiver.raw) == 1  # no waiting: delivered inside the view
    assert receiver.bodies[0]["reference"] == initiated["reference"]
    assert state.timers_pending() == 0


def test_scenario_008_is_final_at_once_even_with_a_delay(client, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    initiated = initiate(client, receiver, phone=PHONE[:-3] + "008")
    assert status(client, initiated["reference"]).json()["status"] == "SUCCESSFUL"


def test_the_webhook_is_only_scheduled_once_the_response_is_sent(db, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    body = json.dumps(push_body(webhook_url=receiver.url))
    request = RequestFactory().post("/api/transactions/public/requesttopay/mtn", data=body,
                                    content_type="application/json", HTTP_AUTHORIZATION="Bearer sim_key")
    response = views.request_to_pay(request, "mtn")  # called directly: nothing has "sent" this response yet
    assert response.status_code == 200
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what a WSGI server does after writing the last byte
    assert receiver.wait_for(1)


def test_an_unreachable_webhook_url_is_logged_not_raised(client, caplog):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    response = push(client, push_body(webhook_url=f"http://127.0.0.1:{port}/hook", phone=PHONE[:-3] + "004"))
    transaction = state.transaction_get(response.json()["reference"])
    callbacks.deliver(transaction)  # synchronously, to observe the outcome without waiting on a timer
    assert state.deliveries_snapshot() == [state.Delivery(transaction.reference, f"http://127.0.0.1:{port}/hook",
                                                          None)]
    assert "webhook to" in caplog.text


def test_reset_cancels_webhooks_not_yet_sent(client, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    initiate(client, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0
    assert state.transactions_snapshot() == []
