"""Helpers shared by the simulator tests: a URL conf, a local webhook receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on the
rest of the project being importable. Everything here is written from PROVIDERS.md §6, not from the
simulator's own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/paystack/", include("lipwa.connectors.paystack.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/paystack"
SECRET = "sim_secret"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


def expected_signature(body: bytes, secret: str = SECRET) -> str:
    """PROVIDERS.md 6.7: lower-case hex HMAC-SHA512 of the raw body, keyed with the secret key."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def post(client, path: str, body: dict | bytes, *, auth: dict | None = None, webhook_url: str = ""):
    headers = dict(BEARER if auth is None else auth)
    if webhook_url:
        headers["HTTP_X_CALLBACK_URL"] = webhook_url
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(f"{SIM}{path}", data=data, content_type="application/json", **headers)


def get(client, path: str, *, auth: dict | None = None, **params):
    return client.get(f"{SIM}{path}", params, **(BEARER if auth is None else auth))


def initialize_body(**overrides) -> dict:
    body = {"email": "ada@example.com", "amount": 50_000, "currency": "NGN", "reference": "order-1",
            "callback_url": "https://shop.example.com/thanks"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def momo_body(phone: str = "+254712345678", provider: str = "mpesa", currency: str = "KES", **overrides) -> dict:
    body = {"email": "ada@example.com", "amount": 10_000, "currency": currency, "reference": "momo-1",
            "mobile_money": {"phone": phone, "provider": provider}}
    body.update(overrides)
    return body


def assert_refusal(response, status: int, message: str) -> None:
    assert response.status_code == status, response.content
    assert response.json() == {"status": False, "message": message}


def data(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] is True and isinstance(body["message"], str)
    return body["data"]


class Receiver(CallbackReceiver):
    """A merchant webhook endpoint on 127.0.0.1: records each POST (body and headers) and answers 200."""

    path = "/hooks/paystack"
