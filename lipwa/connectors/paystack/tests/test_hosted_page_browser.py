"""A real browser on the simulator's hosted payment page, through the whole of lipwa over loopback.

POST /v1/payments (method card) → initialize → next_action.url → Chromium fills the card form (and the OTP
page for the PIN+OTP card) → the simulator's charge.success webhook → /hooks/ → worker → the payment
succeeds, and the browser lands on the payment's return_url. The core is reached through its public API and
the contract battery's helpers only, as import-linter requires of a connector's tests.
"""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from playwright.sync_api import Page

from lipwa.connectors.testing.browser import BrowserThread
from lipwa.connectors.testing.contract import ConnectorContract, wait_for

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture(scope="module")
def browser():
    browser = BrowserThread()
    yield browser
    browser.close()


CORE = ConnectorContract()  # the battery's helpers: settle a payment, list its account's callbacks


def card_payment(server_url: str, api_key: str, return_url: str) -> dict:
    response = httpx.post(f"{server_url}/v1/payments", headers={"Authorization": f"Bearer {api_key}"}, json={
        "amount": 50_000, "currency": "NGN", "method": "card", "provider": "paystack",
        "customer": {"email": "ada@example.com", "name": "Ada"}, "return_url": return_url,
        "merchant_reference": "order-browser"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def fill_card(page: Page, number: str, cvv: str, pin: str = "") -> None:
    page.fill("#card_number", number)
    page.fill("#expiry", f"12/{(date.today().year + 2) % 100:02d}")
    page.fill("#cvv", cvv)
    if pin:
        page.fill("#pin", pin)
    page.click("#pay")


@pytest.fixture
def shop(lipwa_server, simulator_account, test_key):
    """(account, a function creating a card payment, the return_url) for the test merchant."""
    account = simulator_account("paystack")
    return_url = f"{lipwa_server.url}/healthz"
    return account, (lambda: card_payment(lipwa_server.url, test_key, return_url)), return_url


def test_visa_test_card_pays_and_returns_to_the_merchant(shop, run_tasks, browser):
    account, create, return_url = shop
    payment = create()
    assert payment["status"] == "requires_action"
    assert payment["next_action"]["type"] == "redirect"

    def pay(page: Page) -> tuple[str, str]:
        page.goto(payment["next_action"]["url"])
        amount = page.text_content("#amount")
        fill_card(page, "4084 0840 8408 4081", "408")
        page.wait_for_url(f"{return_url}?trxref=*")
        return amount, page.url

    amount, landed = browser.run(pay)
    assert "NGN 500.00" in amount
    assert f"reference={payment['gateway_reference']}" in landed
    wait_for(lambda: CORE.callbacks_for(account), "the charge.success webhook")
    settled = CORE.settle(payment["id"], run_tasks)
    assert settled.status == "succeeded"
    assert [w.status for w in CORE.callbacks_for(account)] == ["processed"]
    state = settled.attempts.get().connector_state
    assert state["authorization_code"].startswith("AUTH_") and state["customer_email"] == "ada@example.com"


def test_verve_card_asks_for_the_otp_then_pays(shop, run_tasks, browser):
    account, create, return_url = shop
    payment = create()

    def pay(page: Page) -> str:
        page.goto(payment["next_action"]["url"])
        fill_card(page, "5060 6666 6666 6666 666", "123", pin="1234")
        page.wait_for_selector("#otp")
        prompt = page.text_content("#otp-prompt")
        page.fill("#otp", "123456")
        page.click("#submit-otp")
        page.wait_for_url(f"{return_url}?trxref=*")
        return prompt

    assert "OTP" in browser.run(pay)
    wait_for(lambda: CORE.callbacks_for(account), "the charge.success webhook")
    assert CORE.settle(payment["id"], run_tasks).status == "succeeded"


def test_declined_card_sends_no_webhook_and_verify_fails_the_payment(shop, run_tasks, browser):
    account, create, return_url = shop
    payment = create()

    def pay(page: Page) -> None:
        page.goto(payment["next_action"]["url"])
        fill_card(page, "4084 0800 0000 5408", "001")
        page.wait_for_url(f"{return_url}?trxref=*")

    browser.run(pay)
    settled = CORE.settle(payment["id"], run_tasks)
    assert (settled.status, settled.failure_code) == ("failed", "provider_declined")
    assert CORE.callbacks_for(account) == []
