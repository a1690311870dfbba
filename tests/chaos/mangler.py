"""A callback mangler: a small HTTP proxy on loopback between the gateway simulators and lipwa's /hooks/.

The simulators post their callbacks to `LIPWA_PUBLIC_URL`; pointing that setting at this proxy lets it do to each
callback what real networks and real gateways do, chosen by a seeded random plan:

- forward it as it is;
- duplicate it (delivered now, and again later, after lipwa has already acted on it);
- delay it (held until the driver releases it, typically after the janitor's status query settled the payment);
- reorder it (held in a window whose contents are delivered in shuffled order);
- drop it (the gateway is told 200 OK, and lipwa never hears of it).

The gateway is always answered at once, as a load balancer in front of lipwa would, so the simulators never wait.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

ACTIONS = ("forward", "duplicate", "delay", "reorder", "drop")
# Forward dominates, as it does in life; every other fault is frequent enough to meet thousands of times.
DEFAULT_WEIGHTS = {"forward": 50, "duplicate": 15, "delay": 15, "reorder": 10, "drop": 10}
REORDER_WINDOW = 8
SENDERS = 4
_HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


@dataclass(frozen=True, slots=True)
class HeldCallback:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class CallbackMangler:
    """Start with `start()`; `url` is what LIPWA_PUBLIC_URL should be. `release_held()` delivers what is held."""

    def __init__(self, *, target_url: str, seed: int, weights: dict[str, int] | None = None) -> None:
        self.target_url = target_url.rstrip("/")
        self.seed = seed
        self.weights = weights or DEFAULT_WEIGHTS
        self.counts: Counter[str] = Counter()
        self.forward_errors: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self._held: list[HeldCallback] = []
        self._window: list[HeldCallback] = []
        self._shuffle = random.Random(seed)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="callback-mangler", daemon=True)
        self._pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="mangler-send")
        self._client = httpx.Client(timeout=30, trust_env=False)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CallbackMangler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._pool.shutdown(wait=True)
        self._client.close()

    # -- the plan ---------------------------------------------------------------------------------------

    def choose(self, body: bytes) -> str:
        """The action for this callback: a function of the seed, its bytes and how often they came before, so a
        run is repeatable whatever order threads deliver in."""
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            occurrence = self._seen[digest]
            self._seen[digest] += 1
        rng = random.Random(f"{self.seed}:{digest}:{occurrence}")
        return rng.choices(list(self.weights), weights=list(self.weights.values()))[0]

    def receive(self, callback: HeldCallback) -> None:
        action = self.choose(callback.body)
        with self._lock:
            self.counts[action] += 1
            self.counts["received"] += 1
            if action in ("delay", "duplicate"):
                self._held.append(callback)
            if action == "reorder":
                self._window.append(callback)
                flush = self._window if len(self._window) >= REORDER_WINDOW else []
                if flush:
                    self._window = []
                    self._shuffle.shuffle(flush)
            else:
                flush = []
        if action in ("forward", "duplicate"):
            self._pool.submit(self._send, callback)
        for held in flush:
            self._pool.submit(self._send, held)

    def release_held(self, fraction: float = 1.0) -> int:
        """Deliver (concurrently, shuffled) `fraction` of the held callbacks and the reorder window."""
        with self._lock:
            self._shuffle.shuffle(self._held)
            cut = len(self._held) if fraction >= 1.0 else int(len(self._held) * fraction)
            batch, self._held = self._held[:cut], self._held[cut:]
            if fraction >= 1.0:
                batch += self._window
                self._window = []
        for callback in batch:
            self._pool.submit(self._send, callback)
        return len(batch)

    def held_count(self) -> int:
        with self._lock:
            return len(self._held) + len(self._window)

    def drain(self) -> None:
        """Wait until every delivery submitted so far has been answered."""
        # Tasks start in order; once every sender thread sits at the barrier, all earlier sends have finished.
        barrier = threading.Barrier(SENDERS)
        for future in [self._pool.submit(barrier.wait) for _ in range(SENDERS)]:
            future.result()

    # -- HTTP ---------------------------------------------------------------------------------------------

    def _send(self, callback: HeldCallback) -> None:
        try:
            response = self._client.request(callback.method, self.target_url + callback.path,
                                            headers=callback.headers, content=callback.body)
            with self._lock:
                self.counts["delivered"] += 1
                if response.status_code >= 300:
                    self.forward_errors[f"HTTP {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            with self._lock:
                self.forward_errors[type(exc).__name__] += 1

    def _handler_class(self):
        mangler = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                mangler.receive(HeldCallback(self.command, self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_PUT = do_GET = _any

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

        return Handler
