"""Debian's Chromium enforces the checkout page's Content-Security-Policy: the page's own (nonced) script shows
the network as the number is typed, while a script injected without the nonce never runs."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page

from lipwa.connectors.testing.browser import BrowserThread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser():
    browser = BrowserThread(viewport={"width": 360, "height": 640})
    yield browser
    browser.close()


def test_only_the_nonced_script_runs(lipwa_server, simulator_account, test_key, browser):
    simulator_account("mpesa")
    response = httpx.post(f"{lipwa_server.url}/v1/checkout_sessions", timeout=10,
                          headers={"Authorization": f"Bearer {test_key}"}, json={"amount": 1000, "currency": "KES"})
    assert response.status_code == 201, response.text
    url = response.json()["url"]

    def steps(page: Page) -> tuple[str, object, list[str]]:
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(url)
        page.fill("#phone", "0712345678")
        hint = page.text_content("#network")
        try:
            page.add_script_tag(content="window.injected = true;")
        except Exception:  # noqa: S110 - Playwright may report the refused tag; what matters is it did not run
            pass
        return hint, page.evaluate("window.injected === undefined"), violations

    hint, not_injected, violations = browser.run(steps)
    assert "Safaricom" in hint  # the page's own script ran under the policy
    assert not_injected is True
    assert any("script" in text.lower() for text in violations)  # the browser refused the injected one
    assert len(violations) == 1, violations  # and nothing else on the page was refused (styles included)
