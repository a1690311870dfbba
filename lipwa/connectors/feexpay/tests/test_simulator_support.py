"""Helpers shared by the simulator tests: a URL conf, a local webhook receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on the
rest of the project being importable. Everything here is written from PROVIDERS.md, not from the simulator's
own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.urls import include, path

urlpatterns = [path("simulators/feexpay/", include("lipwa.connectors.feexpay.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/feexpay"
API = f"{SIM}/api"
PHONE = "2290197100149"  # Benin MTN (0197, PROVIDERS.md 5.7), a plain success
BEARER = {"HTTP_AUTHORIZATION": "Bearer sim_key"}
REFERENCE = r"FXP-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def push_body(phone: str = PHONE, webhook_url: str = "http://127.0.0.1:9/hooks/feexpay", **overrides) -> dict:
    """PROVIDERS.md 5.2's V2 body, with the simulator's webhook_url (P)."""
    body = {"phoneNumber": phone, "amount": 5000, "shop": "sim_shop", "description": "Commande BZ000005",
            "callback_info": "order-42", "first_name": "Client", "last_name": "Doe", "email": "a@b.co",
            "webhook_url": webhook_url}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def push(client, body, network: str = "mtn", headers: dict | None = None):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"{API}/transactions/public/requesttopay/{network}", data=data,
                       content_type="application/json", **(BEARER if headers is None else headers))


def status(client, reference: str, headers: dict | None = None):
    return client.get(f"{API}/transactions/public/single/status/{reference}",
                      **(BEARER if headers is None else headers))


def signature(body: bytes, secret: str = "sim_secret") -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Receiver:
    """A merchant's callback endpoint on 127.0.0.1: records each POST and answers 200."""

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

            def do_GET(self) -> None:  # noqa: N802 - the merchant's return page, for card redirects
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
        return f"http://{host}:{port}/hooks/feexpay"

    @property
    def bodies(self) -> list[dict]:
        with self._arrived:
            return [json.loads(raw) for raw in self.raw]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` webhooks have arrived; False if the timeout passed first."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.raw) >= count, timeout=timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
