"""The MTN MoMo simulator's disbursement side and account holders: transfers, refunds of collections, lookups
(PROVIDERS.md 2.8-2.10)."""

from __future__ import annotations

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.mtn_momo.simulator import state

from .test_simulator_support import (
    SIM,
    assert_error,
    assert_gateway_error,
    headers,
    new_reference,
    post,
    request_to_pay,
    rtp_body,
    status,
    token,
    transfer_body,
)

pytestmark = pytest.mark.urls("lipwa.connectors.mtn_momo.tests.test_simulator_support")


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


def test_transfer_and_its_status(client):
    access = token(client, "disbursement")
    reference = new_reference()
    response = post(client, "/disbursement/v1_0/transfer", transfer_body(phone="46733123455"),
                    **headers(access, reference=reference))
    assert response.status_code == 202
    body = status(client, access, reference, kind="disbursement", resource="transfer").json()
    assert (body["status"], body["reason"], body["payee"]["partyId"]) == ("FAILED", "NOT_ENOUGH_FUNDS", "46733123455")
    collection_token = token(client)
    refused = post(client, "/disbursement/v1_0/transfer", transfer_body(),
                   **headers(collection_token, reference=new_reference()))
    assert_gateway_error(refused, 401, "Access token")


def refund(client, access: str, original: str, amount: str, currency: str = "UGX", version: str = "v1_0"):
    reference = new_reference()
    body = {"amount": amount, "currency": currency, "externalId": "refund-1", "payerMessage": "Refund",
            "payeeNote": "Refund", "referenceIdToRefund": original}
    response = post(client, f"/disbursement/{version}/refund", body, **headers(access, reference=reference))
    return response, reference


def test_refunds_go_back_to_the_payer_up_to_the_amount(client, access_token):
    _, original = request_to_pay(client, access_token, rtp_body(amount="1000"))
    access = token(client, "disbursement")
    first, first_ref = refund(client, access, original, "600")
    second, second_ref = refund(client, access, original, "500", version="v2_0")
    third, third_ref = refund(client, access, original, "400")
    assert first.status_code == second.status_code == third.status_code == 202
    answers = [status(client, access, ref, kind="disbursement", resource="refund").json()
               for ref in (first_ref, second_ref, third_ref)]
    assert [(a["status"], a.get("reason")) for a in answers] == [
        ("SUCCESSFUL", None), ("FAILED", "NOT_ALLOWED"), ("SUCCESSFUL", None)]
    assert answers[0]["payee"] == {"partyIdType": "MSISDN", "partyId": "256772123456"}
    assert set(answers[0]) == {"financialTransactionId", "externalId", "amount", "currency", "payee", "payerMessage",
                               "payeeNote", "status"}


def test_refund_refusals(client, access_token):
    access = token(client, "disbursement")
    unknown, _ = refund(client, access, new_reference(), "100")
    assert_error(unknown, 404, "RESOURCE_NOT_FOUND")
    _, failed_original = request_to_pay(client, access_token, rtp_body(phone="256772123001"))
    _, failed_refund = refund(client, access, failed_original, "100")
    assert status(client, access, failed_refund, kind="disbursement", resource="refund").json()["reason"] == \
        "NOT_ALLOWED"
    _, original = request_to_pay(client, access_token)
    assert_error(refund(client, access, original, "100", currency="XOF")[0], 500, "INVALID_CURRENCY")
    assert_error(refund(client, access, "not-a-uuid", "100")[0], 400, "BAD_REQUEST")


@pytest.mark.parametrize("msisdn, http_status, expected", [
    ("256772123456", 200, {"result": True}),
    ("46733123450", 404, {"code": "RESOURCE_NOT_FOUND"}),
    ("46733123451", 200, {"result": False}),
    ("46733123452", 500, {"code": "NOT_ALLOWED"}),
    ("46733123455", 503, {"code": "SERVICE_UNAVAILABLE"}),
])
def test_account_holder_active(client, access_token, msisdn, http_status, expected):
    response = client.get(f"{SIM}/collection/v1_0/accountholder/msisdn/{msisdn}/active", **headers(access_token))
    assert response.status_code == http_status
    assert expected.items() <= response.json().items()


def test_basic_user_info(client, access_token):
    response = client.get(f"{SIM}/collection/v1_0/accountholder/msisdn/256772123456/basicuserinfo",
                          **headers(access_token))
    assert response.json() == {"given_name": "Sim", "family_name": "Customer 456"}
