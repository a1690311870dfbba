"""The simulator's hosted card page: link creation (PROVIDERS.md 5.5), test cards, redirects and the webhook."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from lipwa.connectors.feexpay.simulator import state

from .test_simulator_support import API, BEARER, REFERENCE, SIM, URLCONF, Receiver, signature, status

pytestmark = pytest.mark.urls(URLCONF)
RETURN_URL = "https://shop.example/return?order=7"
ERROR_URL = "https://shop.example/error"


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def client() -> Client:
    return Client()


def link_body(**overrides) -> dict:
    body = {"shop": "sim_shop", "amount": 25000, "description": "Commande BZ000007", "paymentMethod": "CARD",
            "callback_url": RETURN_URL, "callback_error": ERROR_URL, "callback_info": "att_1"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def create_link(client, path: str = "/feexlink/api-create", headers: dict | None = None, **overrides):
    return client.post(f"{API}{path}", data=json.dumps(link_body(**overrides)), content_type="application/json",
                       **(BEARER if headers is None else headers))


def page_path(client, **overrides) -> str:
    response = create_link(client, **overrides)
    assert response.status_code == 200, response.content
    return urlsplit(response.json()["urlPay"]).path


@pytest.mark.parametrize("path", ["/feexlink/api-create", "/feexlinks/generate"])
def test_a_link_points_at_the_simulated_checkout_page(client, path):
    response = create_link(client, path)
    assert response.status_code == 200
    url = urlsplit(response.json()["urlPay"])
    assert set(response.json()) == {"urlPay"}
    assert (url.scheme, url.netloc) == ("http", "testserver")
    assert url.path.startswith(f"{SIM}/checkout/") and len(url.path.rsplit("/", 1)[-1]) == 20


@pytest.mark.parametrize("overrides, status_code", [
    ({"headers": {}}, 401),
    ({"shop": "other"}, 403),
    ({"currency": "GHS"}, 422),
    ({"amount": 99}, 422),  # XOF by default: 100 to 2,000,000 (5.2)
    ({"currency": "EUR", "amount": 3001}, 422),  # cards in EUR: 1 to 3,000 (A)
    ({"paymentMethod": "MOMO"}, 422),
    ({"callback_url": "javascript:alert(1)"}, 422),
])
def test_link_refusals(client, overrides, status_code):
    assert create_link(client, **overrides).status_code == status_code


def test_the_page_shows_the_amount_and_a_form(client):
    response = client.get(page_path(client, currency="EUR", amount=25))
    assert response.status_code == 200
    assert b"25 EUR" in response.content and b'name="card_number"' in response.content


def test_an_unknown_link_is_404(client):
    assert client.get(f"{SIM}/checkout/0000").status_code == 404


def test_a_good_card_pays_redirects_and_sends_the_webhook(client, receiver):
    path = page_path(client, webhook_url=receiver.url)
    link_id = path.rsplit("/", 1)[-1]
    response = client.post(path, {"card_number": "4242 4242 4242 4242", "action": "pay"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://shop.example/return"
    assert query["order"] == ["7"] and query["status"] == ["SUCCESSFUL"]
    reference = query["reference"][0]
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert (body["reference"], body["ref_link"], body["phoneNumber"], body["amount"]) == (
        reference, link_id, None, 25000)
    assert (body["status"], body["callback_info"], body["reseau"]) == ("SUCCESSFUL", "att_1", "CARTE")
    assert receiver.headers[0]["x-webhook-signature"] == signature(receiver.raw[0])
    assert status(client, reference).json()["status"] == "SUCCESSFUL"


@pytest.mark.parametrize("form, reason", [
    ({"card_number": "4000000000000002"}, "CARD_DECLINED"),
    ({"card_number": "4000000000009995"}, "LOW_BALANCE"),
    ({"action": "cancel"}, "CANCELLED_BY_CUSTOMER"),
])
def test_failures_go_back_to_the_error_url(client, receiver, form, reason):
    response = client.post(page_path(client, webhook_url=receiver.url), form)
    assert response.status_code == 302 and response["Location"].startswith(ERROR_URL + "?")
    assert receiver.wait_for(1)
    assert (receiver.bodies[0]["status"], receiver.bodies[0]["reason"]) == ("FAILED", reason)
    assert re.fullmatch(REFERENCE, parse_qs(urlsplit(response["Location"]).query)["reference"][0])


def test_a_number_that_is_not_a_card_shows_the_form_again(client):
    path = page_path(client)
    response = client.post(path, {"card_number": "1234"})
    assert response.status_code == 400 and "Numéro de carte invalide".encode() in response.content
    assert state.transactions_snapshot() == []
    assert client.post(path, {"card_number": "4111111111111111"}).status_code == 302


def test_a_link_is_paid_once(client):
    path = page_path(client)
    assert client.post(path, {"card_number": "4242424242424242"}).status_code == 302
    again = client.post(path, {"card_number": "4242424242424242"})
    assert again.status_code == 200 and "déjà utilisé".encode() in again.content
    assert len(state.transactions_snapshot()) == 1


def test_without_return_urls_the_page_says_how_it_ended(client):
    response = client.post(page_path(client, callback_url=..., callback_error=...), {"card_number": "4242424242424242"})
    assert response.status_code == 200 and "succès".encode() in response.content
