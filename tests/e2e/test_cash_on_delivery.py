"""Cash on delivery through the public API: a cash payment is assigned to a rider, collected with proof, part
of the cash is remitted, and the day's cash-up opens a discrepancy for the rest. The ledger stays balanced and
the rider's cash in transit is exactly what they still hold."""

from __future__ import annotations

import base64

import pytest

from lipwa.common import clock
from lipwa.ledger.codes import AccountKind
from lipwa.ledger.models import LedgerAccount
from lipwa.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def api(client, test_key, merchant, settings, tmp_path):
    from lipwa.merchants.services import connector_account_create

    settings.VAR_DIR = tmp_path
    connector_account_create(merchant=merchant, connector="cash", mode="test", credentials={})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def post(self, path, body):
            return client.post(path, body, content_type="application/json", **auth)

        def get(self, path, params=None):
            return client.get(path, params or {}, **auth)

    return Api()


def test_cash_on_delivery_with_a_shortfall(api, merchant):
    created = api.post("/v1/payments", {"amount": 250_000, "currency": "KES", "method": "cash",
                                        "merchant_reference": "order-77", "metadata": {"cash_pin": "5531"}})
    assert created.status_code == 201, created.content
    payment = created.json()
    assert payment["status"] == "requires_action" and payment["provider"] == "cash"
    assert payment["next_action"]["type"] == "cash_on_delivery"

    rider = api.post("/v1/riders", {"name": "Juma", "phone": "+254722000111"}).json()
    assigned = api.post(f"/v1/payments/{payment['id']}/assign_rider", {"rider": rider["id"]})
    assert assigned.status_code == 200, assigned.content
    assert api.get(f"/v1/payments/{payment['id']}").json()["next_action"]["rider"] == rider["id"]

    collected = api.post("/v1/cash/collections", {
        "payment": payment["id"], "rider": rider["id"], "receipt_number": "RB-0042", "amount": 250_000,
        "customer_pin": "5531", "photo": base64.b64encode(PNG).decode(), "photo_content_type": "image/png"})
    assert collected.status_code == 201, collected.content
    assert collected.json()["customer_pin_verified"] is True
    paid = api.get(f"/v1/payments/{payment['id']}").json()
    assert paid["status"] == "succeeded" and paid["receipt_number"] == "RB-0042"

    twice = api.post("/v1/cash/collections", {"payment": payment["id"], "rider": rider["id"],
                                              "receipt_number": "RB-0043", "amount": 250_000, "customer_pin": "5531"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "cash_already_recorded"

    remitted = api.post("/v1/cash/remittances", {"rider": rider["id"], "amount": 200_000, "currency": "KES",
                                                 "reference": "SLIP-881"})
    assert remitted.status_code == 201, remitted.content
    too_much = api.post("/v1/cash/remittances", {"rider": rider["id"], "amount": 50_001, "currency": "KES",
                                                 "reference": "SLIP-882"})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "remittance_exceeds_float"

    today = clock.now().date().isoformat()
    cash_up = api.post("/v1/cash/cash_ups", {"rider": rider["id"], "day": today})
    assert cash_up.status_code == 201, cash_up.content
    (row,) = cash_up.json()["data"]
    assert (row["collected"], row["remitted"], row["difference"], row["status"]) == (
        250_000, 200_000, 50_000, "discrepancy")
    assert row["discrepancy"]["amount"] == 50_000 and row["discrepancy"]["status"] == "open"
    listed = api.get("/v1/cash/cash_ups", {"rider": rider["id"], "day": today}).json()["data"]
    assert [c["id"] for c in listed] == [row["id"]]

    unknown = api.post("/v1/cash/cash_ups", {"rider": "rdr_NOPE", "day": today})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "rider_not_found"

    assert ledger_verify() == []
    held = LedgerAccount.objects.get(merchant=merchant, kind=AccountKind.CASH_IN_TRANSIT, reference=rider["id"])
    assert held.debits_posted - held.credits_posted == 50_000
    riders = api.get("/v1/riders").json()["data"]
    assert riders[0]["floats"] == [{"currency": "KES", "amount": 50_000}]


@pytest.mark.parametrize("photo, code", [
    (base64.b64encode(b"GIF89a not allowed").decode(), "photo_not_image"),
    ("not base64!!", "photo_not_base64"),
    (base64.b64encode(b"\xff\xd8\xff" + b"\x00" * (128 * 1024)).decode(), "photo_too_large"),
])
def test_bad_photo_is_refused_through_the_api(api, photo, code):
    from lipwa.cash.models import CashCollection

    payment = api.post("/v1/payments", {"amount": 1000, "currency": "KES", "method": "cash"}).json()
    rider = api.post("/v1/riders", {"name": "Juma"}).json()
    api.post(f"/v1/payments/{payment['id']}/assign_rider", {"rider": rider["id"]})
    response = api.post("/v1/cash/collections", {"payment": payment["id"], "rider": rider["id"],
                                                 "receipt_number": "R", "amount": 1000, "photo": photo})
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert CashCollection.objects.count() == 0
    assert api.get(f"/v1/payments/{payment['id']}").json()["status"] == "requires_action"
