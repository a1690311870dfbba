"""A scripted stand-in for Paystack on 127.0.0.1, for the client and connector tests.

It is deliberately dumb: each path answers what the test scripted, and every request is recorded. The real
behaviour of Paystack is modelled by the simulator, which the contract battery uses; these tests pin the
connector's own decisions, one wire answer at a time, over a real socket (no mocks of httpx).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The reference the connector derives for attempt `att_01TEST`; the fixtures carry it.
REFERENCE = "lipwa-att-01TEST"
INITIALIZE_PATH = "/transaction/initialize"
VERIFY_PATH = f"/transaction/verify/{REFERENCE}"
CHARGE_PATH = "/charge"
SUBMIT_OTP_PATH = "/charge/submit_otp"
CHARGE_AUTHORIZATION_PATH = "/transaction/charge_authorization"
REFUND_PATH = "/refund"
REFUND_GET_PATH = "/refund/3018284"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a dict or list is sent as JSON, bytes as they are
    hang: bool = False  # never answer (until the stub stops): the client's read timeout fires


Responder = Callable[[Received], Reply]


class PaystackStub:
    """Scripted replies per path; by default the documented success answer of each endpoint."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._responders: dict[str, Responder] = {
            INITIALIZE_PATH: lambda _: Reply(200, fixture("initialize__created")),
            VERIFY_PATH: lambda _: Reply(200, fixture("verify__success_card")),
            CHARGE_PATH: lambda _: Reply(200, fixture("charge__pay_offline")),
            SUBMIT_OTP_PATH: lambda _: Reply(200, fixture("charge__pay_offline")),
            CHARGE_AUTHORIZATION_PATH: lambda _: Reply(200, fixture("charge_authorization__success")),
            REFUND_PATH: self._refunds,
            REFUND_GET_PATH: lambda _: Reply(200, fixture("refund__processed")),
        }
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.stub = self  # type: ignore[attr-defined]
        # A short poll interval, so that stopping the stub after each test costs milliseconds.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PaystackStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with `replies` in order; the last one then repeats."""
        with self._lock:
            self._scripts[path] = list(replies)

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.path == path]

    @staticmethod
    def _refunds(request: Received) -> Reply:
        if request.method == "GET":
            return Reply(200, fixture("refund_list__one"))
        return Reply(200, fixture("refund__pending"))

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            script = self._scripts.get(request.path)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(request.path)
        if responder is None:
            return Reply(404, {"status": False, "message": "Route not found"})
        return responder(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: PaystackStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(method=self.command, path=parts.path, query=parse_qs(parts.query),
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(30)
            return
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass


def closed_port_url() -> str:
    """A loopback URL on which nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
