"""A bank transfer through the API: instructions, an operator's confirmation, then the ledger and events."""

from __future__ import annotations

import pytest

from lipwa.common.errors import InvalidRequest
from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create
from lipwa.payments.offline import payment_confirm_offline

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, test_key):
    def call(method: str, path: str, **kwargs):
        return getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {test_key}",
                                       content_type="application/json", **kwargs)

    return call


def test_bank_transfer_from_instructions_to_ledger(api, merchant):
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))
    created = api("post", "/v1/payments", data={"amount": 250000, "currency": "KES", "method": "bank_transfer",
                                                 "merchant_reference": "INV-1001"})
    assert created.status_code == 201, created.content
    payment = created.json()
    action = payment["next_action"]
    assert payment["status"] == "requires_action" and payment["provider"] == "bank_transfer"
    assert action["type"] == "bank_transfer_instructions"
    assert action["reference"] == payment["gateway_reference"] and action["reference"].startswith("LPW-")
    assert (action["amount"], action["currency"], action["expires_at"]) == (250000, "KES", payment["expires_at"])
    assert {"bank_name", "account_name", "account_number"} <= set(action)

    # Refused confirmations leave the payment waiting.
    with pytest.raises(InvalidRequest):
        payment_confirm_offline(payment_id=payment["id"], operator="user:amina", evidence={"reference": "FT9"},
                                amount_minor=200000)
    assert api("get", f"/v1/payments/{payment['id']}").json()["status"] == "requires_action"

    payment_confirm_offline(payment_id=payment["id"], operator="user:amina", evidence={"reference": "FT9"},
                            amount_minor=250000)
    shown = api("get", f"/v1/payments/{payment['id']}").json()
    assert shown["status"] == "succeeded" and shown["receipt_number"] == "FT9" and shown["amount"] == 250000
    accounts = api("get", "/v1/ledger/accounts").json()["data"]
    available = next(a for a in accounts if a["kind"] == "merchant_available" and a["currency"] == "KES")
    statement = api("get", f"/v1/ledger/accounts/{available['id']}/statement").json()["data"]
    assert [(row["code"], row["amount"], row["payment"]) for row in statement] == [
        ("CHARGE", 250000, payment["id"])]
    balance = api("get", "/v1/balance").json()["balances"]
    assert {"currency": "KES", "available": 250000}.items() <= balance[0].items()
    events = api("get", "/v1/events").json()["data"]
    types = [e["type"] for e in events if e["data"]["object"]["id"] == payment["id"]]
    assert "payment.succeeded" in types and "payment.requires_action" in types
