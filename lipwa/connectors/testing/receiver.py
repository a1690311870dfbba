"""A merchant's callback endpoint on 127.0.0.1 for the simulator tests: records every delivery and answers
200 the way that gateway's merchants answer. Each gateway's tests subclass it with its path and answer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CallbackReceiver:
    path = "/hooks/callback"
    answer = b""  # the body a merchant answers with
    answer_content_type = ""  # its Content-Type, when there is a body
    methods_accepted = ("POST",)  # MTN MoMo's sandbox also delivers by PUT
    answers_get = False  # a merchant's return page, for card redirects that land here

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []  # lower-cased names, one dict per delivery
        self.methods: list[str] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._arrived:
                    receiver.raw.append(raw)
                    receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                    receiver.methods.append(self.command)
                    receiver._arrived.notify_all()
                self._answer(receiver.answer, receiver.answer_content_type)

            def _answer(self, body: bytes, content_type: str = "") -> None:
                self.send_response(200)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - the names http.server dispatches to
                self._record() if "POST" in receiver.methods_accepted else self.send_error(405)

            def do_PUT(self) -> None:  # noqa: N802
                self._record() if "PUT" in receiver.methods_accepted else self.send_error(405)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(b"") if receiver.answers_get else self.send_error(405)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval keeps shutdown() (and so each test teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    @property
    def content_types(self) -> list[str | None]:
        with self._arrived:
            return [headers.get("content-type") for headers in self.headers]

    @property
    def bodies(self) -> list[dict]:
        """JSON deliveries, decoded."""
        with self._arrived:
            return [json.loads(raw) for raw in self.raw]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` deliveries have arrived; False if the timeout passed first."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.raw) >= count, timeout=timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
