"""A scripted stand-in for Paynow on 127.0.0.1, for the client and connector tests.

It is deliberately dumb: each path answers what the test scripted, and every request is recorded. The real
behaviour of Paynow is modelled by the simulator, which the contract battery uses; these tests pin the
connector's own decisions, one wire answer at a time, over a real socket (no mocks of httpx). Bodies are
signed here with hashlib directly, from PROVIDERS.md 7.4, not with the connector's own signing module.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

WEB_PATH = "/interface/initiatetransaction"
EXPRESS_PATH = "/interface/remotetransaction"
POLL_PATH = "/Interface/CheckPayment/"
KEY = "sim_secret"
REFERENCE = "att_01TEST"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_body(name: str) -> bytes:
    return fixture(name)["body"].encode()


def paynow_hash(values: list[str], key: str = KEY) -> str:
    return hashlib.sha512(("".join(values) + key.lower()).encode("utf-8")).hexdigest().upper()


def signed(pairs: list[tuple[str, str]], key: str = KEY) -> bytes:
    """A form body with Paynow's hash appended (values in order, then the key, SHA-512, upper-case hex)."""
    return urlencode([*pairs, ("hash", paynow_hash([value for _, value in pairs], key))]).encode()


def unsigned(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs).encode()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    def fields(self) -> dict[str, str]:
        return dict(self.pairs())


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    hang: bool = False  # never answer (until the stub stops): the client's read timeout fires


Responder = Callable[[Received], Reply]


class PaynowStub:
    """Scripted replies per path; by default an accepted web checkout, an accepted EcoCash push, and Paid."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.stub = self  # type: ignore[attr-defined]
        self._responders: dict[str, Responder] = {
            WEB_PATH: lambda _: Reply(200, signed([("status", "Ok"), ("browserurl", self.browser_url),
                                                   ("pollurl", self.poll_url), ("paynowreference", "9,510")])),
            EXPRESS_PATH: lambda _: Reply(200, signed([("status", "Ok"), ("pollurl", self.poll_url),
                                                       ("paynowreference", "9,510"),
                                                       ("instructions", "Approve on your phone")])),
            POLL_PATH: lambda _: Reply(200, self.poll_body("Paid")),
        }
        # A short poll interval, so that stopping the stub after each test costs milliseconds.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def poll_url(self) -> str:
        return f"{self.base_url}{POLL_PATH}?guid=c7ed41da-0159-46da-b428-69549f770413"

    @property
    def browser_url(self) -> str:
        return f"{self.base_url}/Payment/ConfirmPayment/9510"

    def poll_body(self, status: str, reference: str = REFERENCE, amount: str = "10.00", key: str = KEY) -> bytes:
        return signed([("reference", reference), ("paynowreference", "9,510"), ("amount", amount),
                       ("status", status), ("pollurl", self.poll_url)], key)

    def start(self) -> PaynowStub:
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

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            script = self._scripts.get(request.path)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(request.path)
        if responder is None:
            return Reply(404, b"<html>not found</html>")
        return responder(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: PaynowStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(method=self.command, path=parts.path, query=parts.query,
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(30)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass


def closed_port_url() -> str:
    """A loopback URL on which nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
