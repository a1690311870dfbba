"""A scripted stand-in for MTN MoMo on 127.0.0.1, for the client and connector tests.

It is deliberately dumb: each route answers what the test scripted, and every request is recorded. The real
behaviour of MTN is modelled by the simulator, which the contract battery uses; these tests pin the connector's
own decisions, one wire answer at a time, over a real socket (no mocks of httpx).

Routes are exact paths, or patterns with `*` for one variable part (a reference, an MSISDN).
"""

from __future__ import annotations

import fnmatch
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

COLLECTION_TOKEN = "/collection/token/"
DISBURSEMENT_TOKEN = "/disbursement/token/"
RTP = "/collection/v1_0/requesttopay"
RTP_STATUS = "/collection/v1_0/requesttopay/*"
TRANSFER = "/disbursement/v1_0/transfer"
TRANSFER_STATUS = "/disbursement/v1_0/transfer/*"
REFUND = "/disbursement/v1_0/refund"
REFUND_STATUS = "/disbursement/v1_0/refund/*"
ACTIVE = "/collection/v1_0/accountholder/msisdn/*/active"
USER_INFO = "/collection/v1_0/accountholder/msisdn/*/basicuserinfo"
API_USER = "/v1_0/apiuser"
API_USER_GET = "/v1_0/apiuser/*"
API_KEY = "/v1_0/apiuser/*/apikey"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a dict or list is sent as JSON, bytes as they are, None as an empty body
    hang: bool = False  # never answer (until the stub stops): the client's read timeout fires
    delay_seconds: float = 0.0


Responder = Callable[[Received], Reply]


class MomoStub:
    """Scripted replies per route; by default tokens, 202s, successful statuses and the provisioning answers."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.tokens_issued = 0
        self.token_expires_in: object = 3600
        self.token_delay_seconds = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._responders: dict[str, Responder] = {
            COLLECTION_TOKEN: self._issue_token, DISBURSEMENT_TOKEN: self._issue_token,
            RTP: lambda _: Reply(202), TRANSFER: lambda _: Reply(202), REFUND: lambda _: Reply(202),
            RTP_STATUS: lambda _: Reply(200, fixture("requesttopay_status__successful")),
            TRANSFER_STATUS: lambda _: Reply(200, fixture("transfer_status__successful")),
            REFUND_STATUS: lambda _: Reply(200, fixture("refund_status__successful")),
            ACTIVE: lambda _: Reply(200, fixture("accountholder__active")),
            USER_INFO: lambda _: Reply(200, fixture("basicuserinfo__name")),
            API_USER: lambda _: Reply(201), API_USER_GET: lambda _: Reply(200, fixture("apiuser__info")),
            API_KEY: lambda _: Reply(201, fixture("apikey__created")),
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

    def start(self) -> MomoStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, route: str, *replies: Reply) -> None:
        """Answer the next requests to `route` with `replies` in order; the last one then repeats."""
        with self._lock:
            self._scripts[route] = list(replies)

    def requests_to(self, route: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if self._route(request.path) == route]

    def _issue_token(self, _: Received) -> Reply:
        with self._lock:
            self.tokens_issued += 1
            number = self.tokens_issued
        return Reply(200, {"access_token": f"stub-token-{number}", "token_type": "access_token",
                           "expires_in": self.token_expires_in}, delay_seconds=self.token_delay_seconds)

    def _route(self, path: str) -> str | None:
        routes = set(self._responders) | set(self._scripts)
        if path in routes:
            return path
        # The most specific pattern wins: /v1_0/apiuser/*/apikey before /v1_0/apiuser/*.
        for route in sorted((r for r in routes if "*" in r), key=len, reverse=True):
            if fnmatch.fnmatchcase(path, route):
                return route
        return None

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            route = self._route(request.path)
            script = self._scripts.get(route)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(route)
        if responder is None:
            return Reply(404, {"statusCode": 404, "message": "Resource not found"})
        return responder(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: MomoStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        request = Received(method=self.command, path=urlsplit(self.path).path,
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(30)
            return
        if reply.delay_seconds:
            stub._stopping.wait(reply.delay_seconds)
        if reply.body is None:
            body = b""
        else:
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
