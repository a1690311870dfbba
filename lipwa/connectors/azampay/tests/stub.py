"""A scripted stand-in for AzamPay's three hosts on 127.0.0.1, for the client and connector tests.

One server plays all three hosts, each under its own path prefix (as the simulator does), so that a request
sent to the wrong host is visible in `requests_to`. It is deliberately dumb: each path answers what the test
scripted, and every request is recorded. AzamPay's real behaviour is modelled by the simulator, which the
contract battery uses; these tests pin the connector's own decisions, one wire answer at a time, over a real
socket (no mocks of httpx).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lipwa.common import clock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

AUTH, CHECKOUT, DISBURSEMENT = "/auth", "/checkout", "/disbursement"
TOKEN_PATH = AUTH + "/AppRegistration/GenerateToken"
MNO_PATH = CHECKOUT + "/azampay/mno/checkout"
BANK_PATH = CHECKOUT + "/azampay/bank/checkout"
DISBURSE_PATH = DISBURSEMENT + "/api/v1/azampay/disburse"
STATUS_PATH = DISBURSEMENT + "/api/v1/azampay/transactionstatus"
LOOKUP_PATH = DISBURSEMENT + "/api/v1/azampay/namelookup"


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
    delay_seconds: float = 0.0


Responder = Callable[[Received], Reply]


class AzamPayStub:
    """Scripted replies per path; by default a token, an accepted checkout, a successful status query."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.tokens_issued = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._responders: dict[str, Responder] = {
            TOKEN_PATH: self._issue_token,
            MNO_PATH: lambda _: Reply(200, fixture("mno_checkout__accepted")),
            BANK_PATH: lambda _: Reply(200, fixture("bank_checkout__accepted")),
            STATUS_PATH: lambda _: Reply(200, fixture("transaction_status__success")),
            DISBURSE_PATH: lambda _: Reply(200, fixture("disburse__accepted")),
            LOOKUP_PATH: lambda _: Reply(200, fixture("name_lookup__found")),
        }
        # `expire` of issued tokens: seconds from lipwa's clock, or a literal value when `token_expire` is set.
        self.token_lifetime_seconds = 24 * 3600
        self.token_expire: object = None
        self.token_delay_seconds = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.stub = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def credentials(self, **overrides: str) -> dict[str, str]:
        """Simulator-style credentials pointing each host field at this stub."""
        values = {"auth_base_url": self.base_url + AUTH, "base_url": self.base_url + CHECKOUT,
                  "disbursement_base_url": self.base_url + DISBURSEMENT, "app_name": "lipwa",
                  "client_id": "sim_key", "client_secret": "sim_secret", "api_key": "sim_api_key",
                  "payout_source_name": "Lipwa Demo", "payout_source_bank": "Azampesa",
                  "payout_source_account": "255700000000"}
        return values | overrides

    def start(self) -> AzamPayStub:
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

    def _issue_token(self, _: Received) -> Reply:
        with self._lock:
            self.tokens_issued += 1
            number = self.tokens_issued
        expire = self.token_expire
        if expire is None:
            expire = (clock.now() + timedelta(seconds=self.token_lifetime_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"data": {"accessToken": f"stub-token-{number}", "expire": expire}, "success": True,
                "message": "Token generated successfully", "statusCode": 200}
        return Reply(200, body, delay_seconds=self.token_delay_seconds)

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            script = self._scripts.get(request.path)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(request.path)
        if responder is None:
            return Reply(404, b"")
        return responder(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: AzamPayStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(method=self.command, path=parts.path, query=parse_qs(parts.query),
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(30)
            return
        if reply.delay_seconds:
            stub._stopping.wait(reply.delay_seconds)
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
