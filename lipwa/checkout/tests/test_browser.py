"""A real browser (Debian's Chromium) on the hosted checkout page, through the whole of lipwa over loopback:
API → /pay/<cs> → M-Pesa simulator → callback → worker → status page → PDF receipt.

Screenshots of the pages land in docs/screenshots/ (kept small: a phone-sized viewport).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from lipwa.connectors.testing.browser import BrowserThread
from lipwa.connectors.testing.contract import ConnectorContract

from .helpers import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
CORE = ConnectorContract()

@pytest.fixture(scope="module")
def browser():
    browser = BrowserThread(viewport={"width": 360, "height": 640}, accept_downloads=True)
    yield browser
    browser.close()


@pytest.fixture
def checkout(lipwa_server, simulator_account, test_key):
    """A function creating a checkout session over the API; returns its JSON."""
    simulator_account("mpesa")

    def create() -> dict:
        response = httpx.post(f"{lipwa_server.url}/v1/checkout_sessions", timeout=10,
                              headers={"Authorization": f"Bearer {test_key}"},
                              json={"amount": 150000, "currency": "KES", "merchant_reference": "order-42",
                                    "description": "2 bags of rice", "customer": {"name": "Wanjiru"}})
        assert response.status_code == 201, response.text
        return response.json()

    return create


def submit(page: Page, url: str, phone: str, shot: str = "") -> str:
    page.goto(url)
    page.fill("#phone", phone)
    if shot:
        page.screenshot(path=str(SCREENSHOTS / shot))
    page.click("#pay")
    page.wait_for_selector("#status")
    return page.text_content("#status")


def current_payment(session_id: str):
    from lipwa.checkout.models import CheckoutSession

    return CheckoutSession.objects.get(id=session_id).payment_id


def test_pay_with_mpesa_in_english(checkout, browser, run_tasks):
    session = checkout()
    waiting = browser.run(lambda page: submit(page, session["url"] + "?lang=en", "0712345678",
                                              shot="checkout-form-en.png"))
    assert "Check your phone" in waiting and "Safaricom" in waiting
    assert CORE.settle(current_payment(session["id"]), run_tasks).status == "succeeded"

    def success(page: Page) -> str:
        page.goto(session["url"] + "?lang=en")
        page.screenshot(path=str(SCREENSHOTS / "checkout-success-en.png"))
        return page.text_content("#status")

    assert "Payment received" in browser.run(success)


def test_fail_retry_and_receipt_in_swahili(checkout, browser, run_tasks):
    session = checkout()
    status_url = f"{session['url']}/status?lang=sw"
    waiting = browser.run(lambda page: submit(page, session["url"] + "?lang=sw", "0712345001",
                                              shot="checkout-form-sw.png"))
    assert "Angalia simu yako" in waiting
    failed_id = current_payment(session["id"])
    failed = CORE.settle(failed_id, run_tasks)
    assert (failed.status, failed.failure_code) == ("failed", "insufficient_funds")

    def retry(page: Page) -> tuple[str, str]:
        page.goto(status_url)
        failure = page.text_content("#failure")
        page.screenshot(path=str(SCREENSHOTS / "checkout-failed-sw.png"))
        page.fill("#phone", "0712345678")
        page.click("#retry")
        page.wait_for_selector("#waiting")
        return failure, page.text_content("#status")

    failure, waiting = browser.run(retry)
    assert "Salio halitoshi" in failure and "Angalia simu yako" in waiting
    retried_id = current_payment(session["id"])
    assert retried_id != failed_id
    assert CORE.settle(retried_id, run_tasks).status == "succeeded"

    def receipt(page: Page) -> tuple[str, bytes]:
        page.goto(status_url)
        text = page.text_content("#status")
        page.screenshot(path=str(SCREENSHOTS / "checkout-success-sw.png"))
        with page.expect_download() as download:
            page.click("#receipt")
        return text, Path(download.value.path()).read_bytes()

    text, pdf = browser.run(receipt)
    assert "Malipo yamepokelewa" in text
    content = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in ("Test merchant", "1500.00 KES", "mpesa", "order-42", retried_id):
        assert expected in content
