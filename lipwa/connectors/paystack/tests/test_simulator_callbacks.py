"""The simulator's webhooks: signed bodies, how many, when (never before their response, except 008), and
which outcomes send none (PROVIDERS.md 6.7: only charge.success for charges)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.paystack.simulator import state, views

from .test_simulator_support import (
    BEARER,
    SIM,
    URLCONF,
    Receiver,
    data,
    expected_signature,
    get,
    initialize_body,
    momo_body,
    post,
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


def charge(client, receiver, phone: str = "+254712345678", **overrides) -> dict:
    return data(post(client, "/charge", momo_body(phone, **overrides), webhook_url=receiver.url))


def initialize(client, receiver) -> str:
    """A checkout whose webhooks go to `receiver`; returns its authorization_url."""
    created = data(post(client, "/transaction/initialize", initialize_body(), webhook_url=receiver.url))
    return created["authorization_url"]


def assert_signed(receiver, index: int = 0) -> dict:
    raw, headers = receiver.raw[index], receiver.headers[index]
    assert headers["content-type"] == "application/json"
    assert headers["x-paystack-signature"] == expected_signature(raw)
    return json.loads(raw)


def settle_timers() -> None:
    """Wait until every scheduled webhook has been sent (the delay is 0 in the test settings)."""
    from lipwa.connectors.testing.contract import wait_for

    wait_for(lambda: state.timers_pending() == 0, "the simulator's webhook timers")


def test_a_prompt_that_succeeds_sends_one_signed_charge_success(client, receiver):
    charge(client, receiver)
    assert receiver.wait_for(1)
    body = assert_signed(receiver)
    assert body["event"] == "charge.success"
    event = body["data"]
    assert (event["status"], event["reference"], event["amount"], event["currency"]) == ("success", "momo-1", 10_000,
                                                                                         "KES")
    assert event["customer"]["email"] == "ada@example.com" and event["paid_at"]
    settle_timers()
    assert len(receiver.raw) == 1


def test_the_webhook_never_overtakes_the_charge_response(db):
    # db: closing a response fires request_finished, which closes stale database connections.
    request = RequestFactory().post(f"{SIM}/charge", data=json.dumps(momo_body()), content_type="application/json",
                                    HTTP_X_CALLBACK_URL="http://127.0.0.1:9/hooks", **BEARER)
    response = views.charge(request)
    assert response.status_code == 200
    assert state.timers_pending() == 0 and state.deliveries_snapshot() == []
    response.close()  # what the WSGI server does once the last byte is written
    assert state.timers_pending() + len(state.deliveries_snapshot()) == 1


def test_scenario_005_sends_the_same_body_three_times(client, receiver):
    charge(client, receiver, "+254712345005")
    assert receiver.wait_for(3)
    settle_timers()
    assert len(receiver.raw) == 3 and len(set(receiver.raw)) == 1
    assert_signed(receiver, 2)


@pytest.mark.parametrize("suffix", ["004", "001", "002", "003", "009"])
def test_no_webhook_for_004_or_any_decline(client, receiver, suffix):
    charge(client, receiver, f"+254712345{suffix}")
    settle_timers()
    assert state.deliveries_snapshot() == [] and receiver.raw == []


def test_scenario_008_delivers_before_the_response(client, receiver):
    charged = charge(client, receiver, "+254712345008")
    assert len(receiver.raw) == 1, "delivered synchronously, before the charge answered"
    assert charged["status"] == "success"
    assert assert_signed(receiver)["data"]["status"] == "success"


def test_no_webhook_url_means_no_webhook(client):
    data(post(client, "/charge", momo_body()))
    settle_timers()
    assert state.deliveries_snapshot() == []


def test_hosted_page_success_sends_charge_success(client, receiver):
    url = initialize(client, receiver)
    path = urlsplit(url).path
    client.post(path, {"card_number": "4084084084084081", "expiry": "12/39", "cvv": "408"})
    assert receiver.wait_for(1)
    event = assert_signed(receiver)["data"]
    assert (event["status"], event["channel"], event["authorization"]["reusable"]) == ("success", "card", True)


def test_a_declined_card_sends_nothing(client, receiver):
    url = initialize(client, receiver)
    client.post(urlsplit(url).path, {"card_number": "4084080000005408", "expiry": "12/39", "cvv": "001"})
    settle_timers()
    assert receiver.raw == []


def test_saved_card_charge_and_refund_webhooks(client, receiver):
    url = data(post(client, "/transaction/initialize", initialize_body()))["authorization_url"]
    client.post(urlsplit(url).path, {"card_number": "4084084084084081", "expiry": "12/39", "cvv": "408"})
    code = data(get(client, "/transaction/verify/order-1"))["authorization"]["authorization_code"]
    data(post(client, "/transaction/charge_authorization", {"email": "ada@example.com", "amount": 20_000,
                                                            "authorization_code": code, "reference": "renewal-1"},
              webhook_url=receiver.url))
    assert receiver.wait_for(1)
    assert assert_signed(receiver)["data"]["reference"] == "renewal-1"
    data(post(client, "/refund", {"transaction": "renewal-1", "amount": 5_000}))
    data(post(client, "/refund", {"transaction": "renewal-1", "amount": 1_009}))
    assert receiver.wait_for(3)
    events = sorted((body["event"], body["data"]["amount"]) for body in receiver.bodies[1:])
    assert events == [("refund.failed", "1009"), ("refund.processed", "5000")]
    assert all(body["data"]["transaction_reference"] == "renewal-1" for body in receiver.bodies[1:])
    assert_signed(receiver, 2)


def test_reset_cancels_webhooks_not_yet_sent(client, receiver, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    charge(client, receiver)
    assert state.timers_pending() == 1
    state.reset()
    assert state.timers_pending() == 0
