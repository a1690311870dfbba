"""Load through the public API over loopback, the way a merchant's backend sends it: each payment is a POST with
its own Idempotency-Key, retried with the same key after a dropped connection, a 409 or a 5xx (as the SDK does)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from .plan import PlannedPayment

RETRY_FOR_SECONDS = 120.0


class ApiLoad:
    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.created: dict[str, PlannedPayment] = {}
        self.retries: Counter[str] = Counter()
        self.failures: list[str] = []
        self._lock = threading.Lock()

    def count(self) -> int:
        with self._lock:
            return len(self.created) + len(self.failures)

    def run(self, planned: list[PlannedPayment], threads: int) -> None:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="api-load") as pool:
            list(pool.map(self._one, planned))

    def _one(self, planned: PlannedPayment) -> None:
        body = {"amount": planned.amount_minor, "currency": planned.currency, "method": "mobile_money",
                "provider": planned.connector, "phone": planned.phone, "merchant_reference": f"chaos-{planned.index}"}
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": f"chaos-{planned.index}"}
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        last = ""
        with httpx.Client(base_url=self.base_url, timeout=30, trust_env=False) as client:
            while time.monotonic() < deadline:
                try:
                    response = client.post("/v1/payments", json=body, headers=headers)
                except httpx.TransportError as exc:
                    last = type(exc).__name__
                    self._retry(last)
                    continue
                if response.status_code == 201:
                    with self._lock:
                        self.created[response.json()["id"]] = planned
                    return
                last = f"HTTP {response.status_code} {response.text[:200]}"
                if response.status_code == 409 or response.status_code >= 500:
                    self._retry(f"HTTP {response.status_code}")
                    continue
                break
        with self._lock:
            self.failures.append(f"payment {planned.index}: {last}")

    def _retry(self, reason: str) -> None:
        with self._lock:
            self.retries[reason] += 1
        time.sleep(0.25)


class WebhookReceiver:
    """The merchant's endpoint: answers 200 and remembers every event id it was sent (and how often)."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the base class's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    receiver.received[json.loads(body)["id"]] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/lipwa"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
