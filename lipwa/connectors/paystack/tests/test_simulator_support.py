"""Helpers shared by the simulator tests: a URL conf, a local webhook receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on the
rest of the project being importable. Everything here is written from PROVIDERS.md §6, not from the
simulator's own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.urls import include, path

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


class Receiver:
    """A merchant webhook endpoint on 127.0.0.1: records each POST (body and headers) and answers 200."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._arrived:
                    receiver.raw.append(raw)
                    receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                    receiver._arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/paystack"

    @property
    def bodies(self) -> list[dict]:
        with self._arrived:
            return [json.loads(raw) for raw in self.raw]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.raw) >= count, timeout=timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
