"""/v1/refunds and /v1/balance through the API, including bad input that must change nothing."""

from __future__ import annotations

import pytest

from lipwa.payments.models import Refund
from lipwa.payments.tests.factories import payment_with_attempt, succeeded_payment, unreachable_mpesa_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, test_key, merchant):
    unreachable_mpesa_account(merchant)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def post(self, path, body, **headers):
            return client.post(path, body, content_type="application/json", **auth, **headers)

        def get(self, path):
            return client.get(path, **auth)

    return Api()


def test_refund_flow_and_balance(api, merchant):
    payment = succeeded_payment(merchant)
    assert api.get("/v1/balance").json()["balances"] == [
        {"currency": "KES", "available": 10000, "pending": 0, "reserved": 0, "fees": 0}]
    created = api.post("/v1/refunds", {"payment": payment.id, "amount": 2500, "reason": "damaged"})
    assert created.status_code == 201, created.content
    refund = created.json()
    assert (refund["status"], refund["method"], refund["amount"]) == ("pending", "manual", 2500)
    assert api.get(f"/v1/refunds/{refund['id']}").json()["id"] == refund["id"]
    assert [r["id"] for r in api.get(f"/v1/refunds?payment={payment.id}").json()["data"]] == [refund["id"]]
    assert api.get("/v1/balance").json()["balances"][0]["reserved"] == 2500
    statement_account = next(a for a in api.get("/v1/ledger/accounts").json()["data"]
                             if a["kind"] == "merchant_available")
    rows = api.get(f"/v1/ledger/accounts/{statement_account['id']}/statement").json()["data"]
    assert [r["code"] for r in rows] == ["CHARGE"]


@pytest.mark.parametrize("body, status, code", [
    ({"payment": "pay_missing"}, 404, "resource_missing"),
    ({"amount": 100}, 400, "parameter_invalid"),
    ({"payment": "PAYMENT", "amount": 10001}, 400, "amount_exceeds_refundable"),
    ({"payment": "PAYMENT", "amount": 0}, 400, None),
    ({"payment": "PAYMENT", "amount": "100"}, 400, "parameter_invalid"),
    ({"payment": "PAYMENT", "amount": 1.5}, 400, "parameter_invalid"),
    ({"payment": "PAYMENT", "colour": "red"}, 400, "parameter_invalid"),
])
def test_bad_refund_requests(api, merchant, body, status, code):
    payment = succeeded_payment(merchant)
    body = {k: (payment.id if v == "PAYMENT" else v) for k, v in body.items()}
    response = api.post("/v1/refunds", body)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"]["code"] == code
    assert Refund.objects.count() == 0


def test_refund_of_unpaid_payment_is_409(api, merchant):
    payment, _ = payment_with_attempt(merchant)
    response = api.post("/v1/refunds", {"payment": payment.id})
    assert response.status_code == 409 and response.json()["error"]["code"] == "payment_not_refundable"


def test_unknown_refund_and_ledger_account(api):
    assert api.get("/v1/refunds/rfd_missing").status_code == 404
    assert api.get("/v1/ledger/accounts/la_missing/statement").status_code == 404
    assert api.get("/v1/refunds?limit=500").status_code == 400
