"""A merchant's webhook receiver on 127.0.0.1, for tests: answers as told and records every request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_LIMIT_SECONDS = 5.0  # a hanging answer ends at teardown, or after this at the latest


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass

    def do_POST(self):  # noqa: N802 - the standard library's name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver = self.server.receiver
        received = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        behaviour = receiver.next_behaviour(received)
        receiver.requests.append(received)
        if behaviour == "hang":
            receiver.release.wait(HANG_LIMIT_SECONDS)
            behaviour = "ok"
        status, payload, extra = {
            "ok": (200, b'{"received":true}', {}),
            "accepted": (202, b"", {}),
            "fail": (500, b"boom", {}),
            "redirect": (302, b"", {"Location": "http://127.0.0.1:9/elsewhere"}),
            "big": (200, b"x" * 5000, {}),
        }[behaviour]
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout) before the answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


class Receiver:
    """`answer("fail", "ok")` queues the next answers; afterwards `default` applies, unless `policy` (a function
    of the request) decides. Behaviours: ok, accepted (202), fail (500), hang (past any short client timeout),
    redirect (302), big (a 5000-byte answer)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.default = "ok"
        self.policy: Callable[[Received], str] | None = None
        self.release = threading.Event()
        self._queued: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/lipwa"

    def answer(self, *behaviours: str) -> None:
        with self._lock:
            self._queued.extend(behaviours)

    def next_behaviour(self, received: Received) -> str:
        with self._lock:
            if self._queued:
                return self._queued.pop(0)
        return self.policy(received) if self.policy else self.default

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
