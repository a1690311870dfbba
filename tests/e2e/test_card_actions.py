"""Paystack through the API: a card paid on the hosted page, the same card charged again without the
customer (recurring premium), and a mobile-money charge that asks for an OTP."""

from __future__ import annotations

import httpx
import pytest

from lipwa.connectors.testing.contract import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
VISA = {"card_number": "4084 0840 8408 4081", "expiry": "12/39", "cvv": "408"}


@pytest.fixture
def account(simulator_account):
    return simulator_account("paystack")


@pytest.fixture
def api(lipwa_server, account, test_key):
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as client:
        yield client


def callbacks(account) -> int:
    """Callbacks for this test's account only: a late callback from an earlier test may still land."""
    from lipwa.webhooks_in.models import InboundWebhook

    return InboundWebhook.objects.filter(connector_account=account).count()


def card_paid_on_the_hosted_page(api, account, run_tasks) -> dict:
    created = api.post("/v1/payments", json={"amount": 250000, "currency": "NGN", "method": "card",
                                             "provider": "paystack", "customer": {"email": "ada@example.com"},
                                             "return_url": "https://shop.example.com/thanks"})
    assert created.status_code == 201, created.text
    payment = created.json()
    assert payment["status"] == "requires_action" and payment["next_action"]["type"] == "redirect"
    page = httpx.post(payment["next_action"]["url"], data=VISA, follow_redirects=False, trust_env=False)
    assert page.status_code == 302
    wait_for(lambda: callbacks(account) >= 1, "the charge.success webhook")
    run_tasks()
    paid = api.get(f"/v1/payments/{payment['id']}").json()
    assert paid["status"] == "succeeded"
    return paid


def test_a_saved_card_is_charged_again_without_the_customer(api, account, run_tasks):
    first = card_paid_on_the_hosted_page(api, account, run_tasks)
    again = api.post("/v1/payments", json={"amount": 250000, "currency": "NGN", "method": "card",
                                           "reuse_payment": first["id"], "merchant_reference": "premium-2"})
    assert again.status_code == 201, again.text
    run_tasks()
    assert api.get(f"/v1/payments/{again.json()['id']}").json()["status"] == "succeeded"


def test_reuse_needs_a_paid_payment_with_a_saved_card(api):
    unpaid = api.post("/v1/payments", json={"amount": 250000, "currency": "NGN", "method": "card",
                                            "provider": "paystack", "customer": {"email": "ada@example.com"}})
    refused = api.post("/v1/payments", json={"amount": 250000, "currency": "NGN", "method": "card",
                                             "reuse_payment": unpaid.json()["id"]})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_saved_instrument"
    missing = api.post("/v1/payments", json={"amount": 100, "currency": "NGN", "method": "card",
                                             "reuse_payment": "pay_missing"})
    assert missing.status_code == 404


def test_an_otp_step_answered_through_the_api(api, run_tasks):
    created = api.post("/v1/payments", json={"amount": 1000, "currency": "GHS", "method": "mobile_money",
                                             "provider": "paystack", "phone": "0201234987",
                                             "customer": {"email": "kofi@example.com"}})
    assert created.status_code == 201, created.text
    payment = created.json()
    assert payment["status"] == "requires_action" and payment["next_action"]["type"] == "send_otp"
    assert api.post(f"/v1/payments/{payment['id']}/submit_otp", json={"otp": ""}).status_code == 400
    answered = api.post(f"/v1/payments/{payment['id']}/submit_otp", json={"otp": "123456"})
    assert answered.status_code == 200, answered.text
    after = answered.json()
    assert after["status"] in ("processing", "requires_action", "succeeded")
    assert (after["next_action"] or {}).get("type") != "send_otp"
    again = api.post(f"/v1/payments/{payment['id']}/submit_otp", json={"otp": "123456"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "action_not_expected"
