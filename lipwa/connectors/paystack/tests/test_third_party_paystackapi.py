"""The `paystackapi==2.1.3` client (unchanged) against the simulator over loopback.

DESIGN.md §6: a third-party client pointed at `/simulators/paystack` must work unchanged. `paystackapi` reads
its base URL from the module constant `paystackapi.API_URL` (next to `SECRET_KEY`, its configuration), with a
trailing slash. Its classes share one request object (a Borg), built from `API_URL` and the secret key the first
time any of them is instantiated in the process, so the constant is set before the first use and the secret key
is the simulator's for the whole process (no wrong-key test here; the simulator's own tests cover 401).

`pypaystack2==3.4.0` was not chosen: its base URL is the private class attribute `_BASE_URL` of every
sub-client, with no constructor argument or environment variable.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

paystackapi = pytest.importorskip("paystackapi")

pytestmark = pytest.mark.django_db(transaction=True)

VISA = {"card_number": "4084 0840 8408 4081", "expiry": "12/39", "cvv": "408"}


@pytest.fixture
def base_url(lipwa_server) -> str:
    return f"{lipwa_server.url}/simulators/paystack"


@pytest.fixture
def paystack(base_url, monkeypatch):
    from paystackapi.paystack import Paystack

    monkeypatch.setattr(paystackapi, "API_URL", f"{base_url}/")
    client = Paystack(secret_key="sim_secret")
    # The shared request object is built once per process (see the module docstring); the live server, and so
    # the URL, lives as long as the process's test session.
    assert client.requests.API_BASE_URL == f"{base_url}/"
    return client


def test_initialize_pay_on_the_hosted_page_then_verify(paystack, base_url):
    started = paystack.transaction.initialize(reference="tp-card-1", amount=50000, email="ada@example.com",
                                              callback_url="https://shop.example.com/thanks")
    assert started["status"] is True, started
    page = started["data"]["authorization_url"]
    assert page.startswith(f"{base_url}/checkout/")
    assert paystack.transaction.verify("tp-card-1")["data"]["status"] == "abandoned"

    # The customer pays in a browser; a plain form post is what the simulator's page submits.
    paid = httpx.post(page, data=VISA, follow_redirects=False, timeout=10)
    assert paid.status_code == 302
    assert parse_qs(urlsplit(paid.headers["Location"]).query)["reference"] == ["tp-card-1"]

    verified = paystack.transaction.verify("tp-card-1")
    assert verified["status"] is True
    assert (verified["data"]["status"], verified["data"]["amount"]) == ("success", 50000)


def test_mobile_money_charge_succeeds(paystack):
    charged = paystack.charge.start_charge(email="ama@example.com", amount=10000, currency="GHS", reference="tp-mm-1",
                                           mobile_money={"phone": "0553241149", "provider": "mtn"})
    assert charged["status"] is True, charged
    # "pay_offline" while the prompt is open; with LIPWA_SIMULATOR_DELAY_SECONDS=0 it may already be final.
    assert charged["data"]["status"] in ("pay_offline", "success")
    verified = paystack.transaction.verify("tp-mm-1")
    assert (verified["data"]["status"], verified["data"]["gateway_response"]) == ("success", "Approved")


def test_mobile_money_insufficient_funds_fails(paystack):
    charged = paystack.charge.start_charge(email="ama@example.com", amount=10000, currency="GHS", reference="tp-mm-2",
                                           mobile_money={"phone": "0553241001", "provider": "mtn"})
    assert charged["status"] is True, charged
    verified = paystack.transaction.verify("tp-mm-2")
    assert (verified["data"]["status"], verified["data"]["gateway_response"]) == ("failed", "Insufficient Funds")


def test_unknown_reference_is_paystacks_refusal(paystack):
    missing = paystack.transaction.verify("no-such-ref")
    assert missing["status"] is False and missing["message"] == "Transaction reference not found"
