"""The network shown while the customer types (a few lines of inline script on the checkout form) agrees with
the server's own detection, and the page works the same without script."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from lipwa.checkout.phone_hints import network_hints
from lipwa.common.networks import PREFIXES, detect_networks
from lipwa.common.phones import parse_phone
from lipwa.connectors.testing.browser import BrowserThread

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browsers():
    with_script = BrowserThread(viewport={"width": 360, "height": 640})
    without_script = BrowserThread(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    yield with_script, without_script
    with_script.close()
    without_script.close()


@pytest.fixture
def session_url(lipwa_server, simulator_account, test_key) -> str:
    simulator_account("mpesa")
    response = httpx.post(f"{lipwa_server.url}/v1/checkout_sessions", timeout=10,
                          headers={"Authorization": f"Bearer {test_key}"},
                          json={"amount": 150000, "currency": "KES", "merchant_reference": "order-43"})
    assert response.status_code == 201, response.text
    return response.json()["url"]


def _expected(number: str) -> str:
    names = detect_networks(parse_phone(number, "KE"))
    return "Network: " + " / ".join(name.capitalize() for name in names) if names else ""


def test_network_is_shown_as_the_customer_types(session_url, browsers):
    with_script, _ = browsers
    # One number per Kenyan prefix in the server's table, typed in the local and the international form.
    numbers = [f"0{prefix}{'1234567'[:9 - len(prefix)]}" for prefix in PREFIXES["KE"]]
    numbers += ["+254 " + n[1:] for n in numbers[:5]]

    def steps(page: Page):
        page.goto(session_url + "?lang=en")
        page.type("#phone", "07")
        partial = page.text_content("#network")
        page.type("#phone", "12")  # "0712": enough digits for a prefix
        typed = page.text_content("#network")
        page.screenshot(path=str(SCREENSHOTS / "checkout-network-hint.png"))
        shown = {}
        for number in numbers:
            page.fill("#phone", number)
            shown[number] = page.text_content("#network")
        page.goto(session_url + "?lang=sw")
        page.type("#phone", "0733")
        return partial, typed, shown, page.text_content("#network")

    partial, typed, shown, swahili = browsers[0].run(steps)
    assert partial == "" and typed == "Network: Safaricom"
    for number in numbers:
        assert shown[number] == _expected(number), number
    assert swahili == "Mtandao: Airtel"


def test_without_script_the_form_still_pays(session_url, browsers, run_tasks):
    _, without_script = browsers

    def steps(page: Page) -> tuple[str, str]:
        page.goto(session_url + "?lang=en")
        page.fill("#phone", "0712345678")
        hint = page.text_content("#network")
        page.click("#pay")
        page.wait_for_selector("#status")
        return hint, page.text_content("#status")

    hint, status = without_script.run(steps)
    assert hint == "" and "Safaricom" in status  # the server detected it after submit


def test_hints_carry_one_country_when_the_currency_names_it():
    kenya = network_hints("KE")
    assert kenya["default"] == "KE" and list(kenya["countries"]) == ["KE"]
    assert kenya["countries"]["KE"] == {"cc": "254", "trunk": "0",
                                        "prefixes": {p: list(n) for p, n in PREFIXES["KE"].items()}}
    shared = network_hints(None)  # XOF, XAF, USD: the customer types the international form
    assert shared["default"] == "" and set(shared["countries"]) == set(PREFIXES)
    assert shared["countries"]["CI"]["trunk"] == ""  # Côte d'Ivoire keeps its leading 0
