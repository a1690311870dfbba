"""The Daraja simulator's C2B endpoints: register URLs, simulate, and the confirmation POST (PROVIDERS.md 1.7)."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.mpesa.simulator import state

from .test_simulator_support import URLCONF, Receiver, assert_envelope, post, token

pytestmark = pytest.mark.urls(URLCONF)

SHORTCODE = "600984"
MSISDN = "254708374149"


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


def register(client, access_token, receiver, version="v2", **overrides):
    body = {"ShortCode": SHORTCODE, "ResponseType": "Completed", "ConfirmationURL": receiver.url,
            "ValidationURL": receiver.url + "/validate"}
    body.update(overrides)
    return post(client, f"/mpesa/c2b/{version}/registerurl", body, access_token)


def simulate(client, access_token, version="v2", **overrides):
    body = {"ShortCode": int(SHORTCODE), "CommandID": "CustomerPayBillOnline", "Amount": 1, "Msisdn": int(MSISDN),
            "BillRefNumber": "ACC-7"}
    body.update(overrides)
    return post(client, f"/mpesa/c2b/{version}/simulate", body, access_token)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_register_answers_with_the_misspelt_key(client, access_token, receiver, version):
    response = register(client, access_token, receiver, version=version)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"OriginatorCoversationID", "ResponseCode", "ResponseDescription"}
    assert body["ResponseCode"] == "0" and body["ResponseDescription"] == "success"
    assert re.fullmatch(r"[0-9]{4}-[0-9]{8}-1", body["OriginatorCoversationID"])


@pytest.mark.parametrize(("field", "value"), [
    ("ShortCode", "12"), ("ResponseType", "Maybe"), ("ConfirmationURL", "nope"), ("ValidationURL", None),
])
def test_register_validates_fields(client, access_token, receiver, field, value):
    response = register(client, access_token, receiver, **{field: value})
    assert_envelope(response, 400, "400.002.02", f"Bad Request - Invalid {field}")


def test_c2b_needs_a_token(client, receiver):
    assert_envelope(register(client, None, receiver), 404, "404.001.03", "Invalid Access Token")
    assert_envelope(simulate(client, "stale"), 404, "404.001.03", "Invalid Access Token")


def test_simulate_v2_posts_a_string_confirmation_with_a_masked_msisdn(client, access_token, receiver):
    register(client, access_token, receiver)
    response = simulate(client, access_token, Amount="250")
    assert response.status_code == 200
    assert response.json()["ResponseDescription"] == "Accept the service request successfully."
    assert receiver.wait_for(1)
    confirmation = receiver.bodies[0]
    assert all(isinstance(value, str) for value in confirmation.values())
    assert confirmation["TransactionType"] == "Pay Bill"
    assert re.fullmatch(r"[A-Z0-9]{10}", confirmation["TransID"])
    assert re.fullmatch(r"20[0-9]{12}", confirmation["TransTime"])
    assert confirmation["TransAmount"] == "250.00"
    assert confirmation["BusinessShortCode"] == SHORTCODE
    assert confirmation["BillRefNumber"] == "ACC-7"
    assert confirmation["OrgAccountBalance"] == "250.00"
    assert confirmation["MSISDN"] == "2547 ***** 149"
    assert set(confirmation) >= {"InvoiceNumber", "ThirdPartyTransID", "FirstName", "MiddleName", "LastName"}


def test_simulate_v1_hashes_the_msisdn_and_balances_add_up(client, access_token, receiver):
    register(client, access_token, receiver, version="v1")
    simulate(client, access_token, version="v1", Amount=10)
    simulate(client, access_token, version="v1", Amount=5, CommandID="CustomerBuyGoodsOnline", BillRefNumber=None)
    assert receiver.wait_for(2)
    by_amount = {body["TransAmount"]: body for body in receiver.bodies}
    assert by_amount["10.00"]["MSISDN"] == hashlib.sha256(MSISDN.encode()).hexdigest()
    assert by_amount["5.00"]["TransactionType"] == "Buy Goods" and by_amount["5.00"]["BillRefNumber"] == ""
    assert sorted(body["OrgAccountBalance"] for body in receiver.bodies) == ["10.00", "15.00"]


def test_simulate_accepts_the_msisdn_spelling_older_clients_use(client, access_token, receiver):
    register(client, access_token, receiver)
    body = {"ShortCode": SHORTCODE, "CommandID": "CustomerPayBillOnline", "Amount": "1", "MSISDN": MSISDN,
            "BillRefNumber": "ACC-7"}
    assert post(client, "/mpesa/c2b/v2/simulate", body, access_token).status_code == 200
    assert receiver.wait_for(1)


def test_simulate_without_registered_urls_sends_nothing(client, access_token):
    assert simulate(client, access_token).status_code == 200
    assert state.timers_pending() == 0 and state.deliveries_snapshot() == []


@pytest.mark.parametrize(("field", "value"), [
    ("ShortCode", "abc"), ("CommandID", "BusinessPayment"), ("Amount", 0), ("Msisdn", "0708374149"),
])
def test_simulate_validates_fields(client, access_token, field, value):
    response = simulate(client, access_token, **{field: value})
    assert_envelope(response, 400, "400.002.02", f"Bad Request - Invalid {field}")
