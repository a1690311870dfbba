"""The simulator's hosted payment page with PROVIDERS.md 6.8's test cards, driven by Django's test client
(the browser test drives it with Chromium)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.paystack.simulator import state

from .test_simulator_support import SIM, URLCONF, data, get, initialize_body, post

pytestmark = pytest.mark.urls(URLCONF)

VISA = {"card_number": "4084 0840 8408 4081", "expiry": "12/39", "cvv": "408"}
VERVE = {"card_number": "5060 6666 6666 6666 666", "expiry": "09/2039", "cvv": "123", "pin": "1234"}
DECLINED = {"card_number": "4084 0800 0000 5408", "expiry": "12/39", "cvv": "001"}
INSUFFICIENT = {"card_number": "4000 0000 0000 9995", "expiry": "12/39", "cvv": "123"}


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    clock.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def client() -> Client:
    return Client()


def page_path(client, **overrides) -> str:
    url = data(post(client, "/transaction/initialize", initialize_body(**overrides)))["authorization_url"]
    return urlsplit(url).path


def verified(client, reference: str = "order-1") -> dict:
    return data(get(client, f"/transaction/verify/{reference}"))


def test_the_page_shows_the_amount_the_form_and_the_test_cards(client):
    path = page_path(client)
    assert path.startswith(f"{SIM}/checkout/")
    page = client.get(path)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    for needle in ("Pay NGN 500.00", "ada@example.com", "id='card_number'", "id='expiry'", "id='cvv'", "id='pin'",
                   "4084084084084081", "5060666666666666666", "4084080000005408", "4000000000009995"):
        assert needle in html, needle
    assert "<script" not in html


def test_a_visa_test_card_pays_and_redirects_with_the_reference(client):
    response = client.post(page_path(client), VISA)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://shop.example.com/thanks"
    assert parse_qs(location.query) == {"trxref": ["order-1"], "reference": ["order-1"]}
    paid = verified(client)
    assert (paid["status"], paid["gateway_response"], paid["channel"]) == ("success", "Successful", "card")
    authorization = paid["authorization"]
    assert authorization["authorization_code"].startswith("AUTH_") and authorization["reusable"] is True
    assert (authorization["last4"], authorization["exp_month"], authorization["exp_year"]) == ("4081", "12", "2039")


def test_a_callback_url_with_a_query_keeps_it(client):
    response = client.post(page_path(client, callback_url="https://shop.example.com/done?order=7"), VISA)
    assert response["Location"] == "https://shop.example.com/done?order=7&trxref=order-1&reference=order-1"


def test_without_a_callback_url_the_page_shows_the_result(client):
    response = client.post(page_path(client, callback_url=...), VISA)
    assert response.status_code == 200 and "Payment successful" in response.content.decode()


def test_the_verve_card_asks_for_the_otp(client):
    path = page_path(client)
    otp_page = client.post(path, VERVE)
    assert otp_page.status_code == 200 and "id='otp'" in otp_page.content.decode()
    assert verified(client)["status"] == "ongoing"
    assert "id='otp'" in client.get(path).content.decode()  # a reload shows the OTP step again
    done = client.post(f"{path}/otp", {"otp": "123456"})
    assert done.status_code == 302
    paid = verified(client)
    assert (paid["status"], paid["authorization"]["brand"], paid["authorization"]["exp_year"]) == (
        "success", "verve", "2039")


@pytest.mark.parametrize("card, otp, gateway_response", [
    (DECLINED, None, "Declined"),
    (INSUFFICIENT, None, "Insufficient Funds"),
    (VERVE | {"pin": "0000"}, None, "Incorrect PIN"),
    (VERVE, "654321", "Incorrect OTP"),
])
def test_declines_end_the_transaction_and_still_redirect(client, card, otp, gateway_response):
    path = page_path(client)
    response = client.post(path, card)
    if otp is not None:
        response = client.post(f"{path}/otp", {"otp": otp})
    assert response.status_code == 302
    failed = verified(client)
    assert (failed["status"], failed["gateway_response"], failed["authorization"]) == ("failed", gateway_response, {})


@pytest.mark.parametrize("card, words", [
    (VISA | {"card_number": "4111 1111 1111 1111"}, "not one of the test cards"),
    (VISA | {"cvv": "999"}, "CVV does not match"),
    (VISA | {"expiry": "01/20"}, "future expiry"),
    (VISA | {"expiry": "13/39"}, "future expiry"),
    (VISA | {"expiry": "soon"}, "future expiry"),
])
def test_typing_mistakes_are_asked_again_without_changing_anything(client, card, words):
    response = client.post(page_path(client), card)
    assert response.status_code == 400 and words in response.content.decode()
    assert verified(client)["status"] == "abandoned"


def test_a_second_submission_cannot_pay_twice(client):
    path = page_path(client)
    assert client.post(path, VISA).status_code == 302
    again = client.post(path, DECLINED)
    assert again.status_code == 200 and "Payment successful" in again.content.decode()
    assert verified(client)["status"] == "success"
    assert client.post(f"{path}/otp", {"otp": "123456"}).status_code == 200


def test_an_unknown_page(client):
    assert client.get(f"{SIM}/checkout/nope").status_code == 404
