"""The simulator's disbursement host: disburse, its status, and name lookup (PROVIDERS.md 4.7)."""

from __future__ import annotations

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.azampay.simulator import state

from .test_simulator_support import (
    DISBURSE,
    LOOKUP,
    URLCONF,
    assert_envelope,
    assert_problem,
    disburse_body,
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
def client() -> Client:
    return Client()


@pytest.fixture
def access_token(client) -> str:
    return token(client)


def test_disburse_is_accepted_as_pending_and_settled_by_the_status_query(client, access_token, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 10
    response = post(client, DISBURSE, disburse_body(), access_token)
    assert response.status_code == 200
    assert response.json() == {"data": "pending", "message": "Disbursement request accepted", "success": True,
                               "statusCode": 200}
    assert status(client, access_token, "payout-1", "Tigo").json()["data"] == "pending"
    clock.advance(10)
    assert status(client, access_token, "payout-1", "Tigo").json() == {
        "data": "success", "message": "Transaction successful", "success": True, "statusCode": 200}
    [stored] = state.disbursements_snapshot()
    assert (stored.provider, stored.account_number, stored.amount) == ("Tigo", "255714123456", 5000)


@pytest.mark.parametrize("account, data, message", [
    ("255714123001", "failure", "Insufficient balance"),
    ("255714123009", "failure", "Transaction declined"),
    ("0150123456789", "success", "Transaction successful"),  # a bank account is digits too
])
def test_disbursement_scenarios(client, access_token, account, data, message):
    assert post(client, DISBURSE, disburse_body(account=account), access_token).status_code == 200
    body = status(client, access_token, "payout-1", "Tigo").json()
    assert (body["data"], body["message"]) == (data, message)


def test_disbursement_006_creates_nothing(client, access_token):
    assert_envelope(post(client, DISBURSE, disburse_body(account="255714123006"), access_token), 503,
                    "Service temporarily unavailable")
    assert state.disbursements_snapshot() == []


def test_a_reference_is_used_once(client, access_token):
    post(client, DISBURSE, disburse_body(), access_token)
    assert_envelope(post(client, DISBURSE, disburse_body(), access_token), 400,
                    "Duplicate externalReferenceId payout-1")


def test_disburse_validation_names_nested_fields(client, access_token):
    body = disburse_body()
    del body["source"]["fullName"]
    body["destination"]["accountNumber"] = "07-14"
    body["destination"]["currency"] = "KES"
    body["transferDetails"]["amount"] = "1.5"
    del body["externalReferenceId"]
    assert_problem(post(client, DISBURSE, body, access_token), "source.fullName", "destination.accountNumber",
                   "destination.currency", "transferDetails.amount", "externalReferenceId")


def test_disburse_needs_the_objects(client, access_token):
    body = assert_problem(post(client, DISBURSE, {"externalReferenceId": "x", "source": "me"}, access_token),
                          "source", "destination", "transferDetails")
    assert body["errors"]["source"] == ["The source field must be an object."]
    assert body["errors"]["destination"] == ["The destination field is required."]


def test_name_lookup(client, access_token):
    response = post(client, LOOKUP, {"bankName": "Tigo", "accountNumber": "255714123456"}, access_token)
    body = response.json()
    assert set(body) == {"name", "message", "success", "accountNumber", "bankName"}
    assert (body["success"], body["accountNumber"], body["bankName"]) == (True, "255714123456", "Tigo")
    assert body["name"]


def test_name_lookup_not_found(client, access_token):
    response = post(client, LOOKUP, {"bankName": "Tigo", "accountNumber": "255714123404"}, access_token)
    assert response.json() == {"name": "", "message": "Account not found", "success": False,
                               "accountNumber": "255714123404", "bankName": "Tigo"}


def test_name_lookup_validation(client, access_token):
    assert_problem(post(client, LOOKUP, {"accountNumber": "abc"}, access_token), "bankName", "accountNumber")
