"""The machinery of a scripted gateway stand-in on 127.0.0.1, for the connectors' client and connector tests.

A stub is deliberately dumb: each route answers what the test scripted (or the gateway's default answer), and
every request is recorded. The real behaviour of a gateway is modelled by its simulator, which the contract
battery uses; stubs pin a connector's own decisions, one wire answer at a time, over a real socket (no mocks
of httpx). Each connector's `tests/stub.py` subclasses `ScriptedStub` with its own paths, default answers and
gateway-specific helpers; what is here is only what every gateway's stub does the same way.

Routes are exact paths, or patterns in which `*` stands for one path segment (a reference, an MSISDN); a
request goes to its exact route, else to the longest pattern that covers it.

Tests only: nothing here may be imported by a connector's runtime code.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

# How long a `hang` reply holds its connection at most; stopping the stub releases it at once.
HANG_SECONDS = 30.0


# -- fixtures -----------------------------------------------------------------------------------------------


def load_fixture(fixtures_dir: Path, name: str) -> dict:
    """`<fixtures_dir>/<name>.json`, decoded; a fresh copy each time, so a test may change it."""
    return json.loads((fixtures_dir / f"{name}.json").read_text())


def load_fixture_bytes(fixtures_dir: Path, name: str) -> bytes:
    """`<fixtures_dir>/<name>.json` as it is on disk, for tests of the decoder itself."""
    return (fixtures_dir / f"{name}.json").read_bytes()


def form_body(pairs: list[tuple[str, str]]) -> bytes:
    """A form-encoded body, fields in the order given (some gateways sign them in that order)."""
    return urlencode(pairs).encode()


# -- what a stub records and answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as the stub saw it."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string)

    def json(self) -> dict:
        return json.loads(self.body)

    def pairs(self) -> list[tuple[str, str]]:
        """A form-encoded body's fields, in the order they were sent."""
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    def fields(self) -> dict[str, str]:
        return dict(self.pairs())


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a dict or list is sent as JSON, bytes as they are, None as the stub's `empty_body`
    hang: bool = False  # never answer (until the stub stops): the client's read timeout fires
    delay_seconds: float = 0.0
    content_type: str | None = None  # None: the stub's `content_type`


Responder = Callable[[Received], Reply]


@cache
def _pattern(route: str) -> re.Pattern[str]:
    return re.compile("[^/]*".join(re.escape(part) for part in route.split("*")))


def route_for(path: str, routes: list[str]) -> str | None:
    """The exact route for `path`, else the longest pattern route (`*` for one segment) that covers it."""
    if path in routes:
        return path
    patterns = [route for route in routes if "*" in route and _pattern(route).fullmatch(path)]
    return max(patterns, key=len, default=None)


# -- the stub -----------------------------------------------------------------------------------------------


class ScriptedStub:
    """Scripted replies per route over a real loopback socket; subclasses name the routes and defaults."""

    content_type = "application/json"  # of every reply that does not name its own
    empty_body = b"null"  # what a reply without a body sends (JSON's null, unless the gateway sends nothing)
    url_suffix = ""  # a path prefix every request of the gateway carries, as part of `base_url`
    not_found = Reply(404, b"")  # the answer to a route nobody scripted

    def __init__(self, responders: Mapping[str, Responder] | None = None) -> None:
        self.received: list[Received] = []
        # A condition rather than a plain lock, so that `wait_for_requests` wakes as soon as a request arrives.
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._responders: dict[str, Responder] = dict(responders or {})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.stub = self  # type: ignore[attr-defined]
        # A short poll interval, so that stopping the stub after each test costs milliseconds, not half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.url_suffix}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # -- scripting ------------------------------------------------------------------------------------------

    def script(self, route: str, *replies: Reply) -> None:
        """Answer the next requests to `route` with `replies` in order; the last one then repeats."""
        with self._lock:
            self._scripts[route] = list(replies)

    def respond(self, route: str, responder: Responder) -> None:
        """Answer every request to `route` with `responder(request)`, replacing any script for it."""
        with self._lock:
            self._scripts.pop(route, None)
            self._responders[route] = responder

    def fallback(self, request: Received) -> Reply:
        """The answer to a request no script or responder takes; gateways with catch-all defaults override it."""
        return self.not_found

    # -- what was received ----------------------------------------------------------------------------------

    def requests_to(self, route: str) -> list[Received]:
        """The requests sent to `route`: to that very path, or routed to that pattern."""
        with self._lock:
            return [request for request in self.received
                    if request.path == route or self._route_for(request.path) == route]

    def wait_for_requests(self, route: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
        """Block until `count` requests have reached `route` (a client working in another thread)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(found := self.requests_to(route)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {count} request(s) to {route}")
                self._lock.wait(remaining)
            return found

    def next_count(self, counter: str) -> int:
        """Add one to the integer attribute `counter` (tokens issued, keys served) and return the new value."""
        with self._lock:
            value = getattr(self, counter) + 1
            setattr(self, counter, value)
            return value

    # -- answering ------------------------------------------------------------------------------------------

    def _route_for(self, path: str) -> str | None:
        return route_for(path, [*self._scripts, *self._responders])

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            self._lock.notify_all()
            route = self._route_for(request.path)
            script = self._scripts.get(route) if route is not None else None
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(route) if route is not None else None
        if responder is None:
            return self.fallback(request)
        return responder(request)

    def _encode(self, reply: Reply) -> bytes:
        if isinstance(reply.body, bytes):
            return reply.body
        if reply.body is None:
            return self.empty_body
        return json.dumps(reply.body).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: ScriptedStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(method=self.command, path=parts.path, query_string=parts.query,
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(HANG_SECONDS)
            return
        if reply.delay_seconds:
            stub._stopping.wait(reply.delay_seconds)
        body = stub._encode(reply)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type or stub.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass


def closed_port_url(url_suffix: str = "") -> str:
    """A loopback URL on which nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{url_suffix}"
