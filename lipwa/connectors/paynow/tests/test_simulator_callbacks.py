"""The Paynow simulator's status updates: exact bodies, how many, and when (never before the initiate answer,
except in scenario 008)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory

from lipwa.common import clock
from lipwa.connectors.paynow.simulator import state, views
from lipwa.connectors.testing.contract import wait_for

from .test_simulator_support import (
    EXPRESS,
    FORM,
    URLCONF,
    WEB,
    Receiver,
    answer,
    hash_is_right,
    post_form,
    request_pairs,
    with_hash,
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


def initiate(client, receiver, phone: str = "0771234567", **overrides) -> dict[str, str]:
    return dict(answer(post_form(client, EXPRESS, request_pairs(phone=phone, result_url=receiver.url, **overrides))))


def test_the_status_update_is_exactly_paynows(client, receiver):
    initiated = initiate(client, receiver, amount="25")
    assert receiver.wait_for(1)
    assert receiver.content_types == ["application/x-www-form-urlencoded"]
    [update] = receiver.updates
    assert [key for key, _ in update] == ["reference", "amount", "paynowreference", "pollurl", "status", "hash"]
    assert hash_is_right(update)
    fields = dict(update)
    assert (fields["reference"], fields["amount"], fields["status"]) == ("INV-001", "25.00", "Paid")
    assert (fields["paynowreference"], fields["pollurl"]) == (initiated["paynowreference"], initiated["pollurl"])
    assert b"%2c" in receiver.raw[0] and b"%3a%2f%2f" in receiver.raw[0], "encoded as Paynow's .NET stack does"


@pytest.mark.parametrize("phone, status", [("0771234002", "Cancelled"), ("0771234003", "Cancelled"),
                                           ("0771234009", "Failed")])
def test_declines_send_their_final_status(client, receiver, phone, status):
    initiate(client, receiver, phone)
    assert receiver.wait_for(1)
    assert dict(receiver.updates[0])["status"] == status


def test_scenario_005_sends_the_same_update_three_times(client, receiver):
    initiate(client, receiver, "0771234005")
    assert receiver.wait_for(3)
    assert receiver.raw[0] == receiver.raw[1] == receiver.raw[2]


def test_scenario_004_sends_nothing(client, receiver):
    initiate(client, receiver, "0771234004")
    assert state.timers_pending() == 0
    assert receiver.raw == []


def test_scenario_008_delivers_before_answering(client, receiver):
    response = post_form(client, EXPRESS, request_pairs(phone="0771234008", result_url=receiver.url))
    assert len(receiver.raw) == 1, "the update was delivered while the initiate request was still open"
    assert dict(receiver.updates[0])["paynowreference"] == dict(answer(response))["paynowreference"]


def test_an_update_is_only_scheduled_once_the_answer_is_written(db, receiver):
    # db: closing a response fires request_finished, which closes stale database connections.
    body = urlencode(with_hash(request_pairs(result_url=receiver.url)))
    request = RequestFactory().post(EXPRESS, data=body, content_type=FORM)
    response = views.initiate_express(request)
    assert state.timers_pending() == 0 and receiver.raw == []
    response.close()  # what the WSGI server does after the last byte
    assert receiver.wait_for(1)


def test_innbucks_sends_its_update_too(client, receiver):
    initiate(client, receiver, "0731234567", method="innbucks")
    assert receiver.wait_for(1)
    assert dict(receiver.updates[0])["status"] == "Paid"


def test_the_web_customers_decision_is_sent_after_the_redirect(client, receiver):
    pairs = request_pairs(phone=None, result_url=receiver.url)
    initiated = dict(answer(post_form(client, WEB, pairs)))
    assert state.timers_pending() == 0 and receiver.raw == [], "nothing is sent while the customer decides"
    page = initiated["browserurl"].split("testserver", 1)[1]
    assert client.post(page, {"action": "paid"}).status_code == 302
    assert receiver.wait_for(1)
    assert dict(receiver.updates[0])["status"] == "Paid"
    # The delivery is recorded once the receiver has answered, a moment after it saw the body.
    assert wait_for(lambda: [d.status for d in state.deliveries_snapshot()] == [200], "the delivery record")


def test_an_unreachable_result_url_is_logged_not_raised(client, caplog):
    answer(post_form(client, EXPRESS, request_pairs(phone="0771234008", result_url="http://127.0.0.1:9/r")))
    assert [delivery.status for delivery in state.deliveries_snapshot()] == [None]
    assert "failed" in caplog.text
