"""Payouts through the MTN MoMo simulator: held, paid or released, events, ledger consistent."""

from __future__ import annotations

import pytest

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest
from lipwa.connectors.testing.contract import wait_for
from lipwa.ledger.selectors import balance_get, ledger_verify
from lipwa.payments.models import PaymentEvent
from lipwa.payments.services import payment_create
from lipwa.payouts.models import Payout
from lipwa.payouts.services import payout_create, payout_sync
from lipwa.payouts.tasks import payouts_sync_due
from lipwa.webhooks_in.models import InboundWebhook

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def funded(simulator_account, merchant, run_tasks):
    """A merchant with UGX 5,000 available, collected through the MTN MoMo simulator."""
    account = simulator_account("mtn_momo")
    payment = payment_create(merchant=merchant, mode="test", amount=5000, currency="UGX", method="mobile_money",
                             phone="+256772123678")
    wait_for(lambda: InboundWebhook.objects.filter(connector_account=account).exists(), "the MTN callback")
    run_tasks()
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    return account


def available(merchant) -> int:
    return next(b["available"] for b in balance_get(merchant=merchant, mode="test")["balances"]
                if b["currency"] == "UGX")


def pay_out(merchant, amount, phone="+256772123555", **kwargs):
    return payout_create(merchant=merchant, mode="test", amount=amount, currency="UGX", phone=phone,
                         requested_by="api_key:test", **kwargs)


def settle(payout):
    for _ in range(5):
        payout.refresh_from_db()
        if payout.status in ("succeeded", "failed"):
            return payout
        clock.advance(61)
        payouts_sync_due.call()
    payout.refresh_from_db()
    return payout


def test_a_payout_is_held_then_paid(funded, merchant):
    payout = settle(pay_out(merchant, 2000, recipient_name="Amina"))
    assert payout.status == "succeeded" and payout.gateway_reference
    assert available(merchant) == 3000 and ledger_verify() == []
    types = list(PaymentEvent.objects.filter(payment=None, mode="test").values_list("type", flat=True))
    assert types[0] == "payout.created" and types[-1] == "payout.succeeded"


def test_a_refused_payout_releases_the_hold(funded, merchant):
    payout = settle(pay_out(merchant, 2000, phone="+256772123001"))
    assert payout.status == "failed" and payout.failure_code
    assert available(merchant) == 5000 and ledger_verify() == []


def test_more_than_the_balance_is_refused_and_nothing_is_created(funded, merchant):
    with pytest.raises(Conflict) as refused:
        pay_out(merchant, 5001)
    assert refused.value.code == "balance_insufficient"
    assert Payout.objects.count() == 0 and available(merchant) == 5000


def test_a_gateway_without_payouts_is_refused(simulator_account, merchant):
    simulator_account("mpesa")
    with pytest.raises(InvalidRequest) as refused:
        payout_create(merchant=merchant, mode="test", amount=10000, currency="KES", phone="0712345678",
                      requested_by="x")
    assert refused.value.code == "payouts_not_supported"


@pytest.mark.parametrize("amount, currency, phone, param", [
    (0, "UGX", "+256772123555", "amount"), (-1, "UGX", "+256772123555", "amount"),
    (1.5, "UGX", "+256772123555", "amount"), (100, "XXX", "+256772123555", "currency"),
    (100, "UGX", "not a phone", "phone"),
])
def test_bad_input(funded, merchant, amount, currency, phone, param):
    with pytest.raises(InvalidRequest) as refused:
        payout_create(merchant=merchant, mode="test", amount=amount, currency=currency, phone=phone,
                      requested_by="x")
    assert refused.value.param == param
    assert Payout.objects.count() == 0


def test_sync_of_a_final_payout_changes_nothing(funded, merchant):
    payout = settle(pay_out(merchant, 1000))
    assert payout_sync(payout_id=payout.id).status == "succeeded"


def test_payouts_api(funded, merchant, test_key, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}
    created = client.post("/v1/payouts", {"amount": 1000, "currency": "UGX", "phone": "+256772123555"},
                          content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    assert client.get(f"/v1/payouts/{created.json()['id']}", **auth).json()["id"] == created.json()["id"]
    bad = client.post("/v1/payouts", {"amount": "1000", "currency": "UGX", "phone": "+256772123555"},
                      content_type="application/json", **auth)
    assert bad.status_code == 400
    assert client.get("/v1/payouts/po_missing", **auth).status_code == 404
