"""The machinery every gateway simulator keeps the same way: one lock, the delivery log, pending callback timers,
`reset()`, and the best-effort HTTP POST of a callback.

A simulator's state lives in its process only, behind one lock, so every thread of a threaded server (runserver,
the pytest live server, gunicorn with one worker and several threads) sees the same records. Each simulator's
`state.py` owns one `SimulatorState`, keeps its own gateway-specific records in containers registered with
`store()` (so that `reset()` forgets them too), and re-exports the shared functions under their usual names.

Callbacks are best effort, as the gateways' own are: an unreachable URL or an error answer is logged and recorded
in the delivery log, never raised, and never retried.

This module imports nothing of ours but `lipwa.common` (nothing at all, today): every simulator may use it, and it
can never reach a gateway's client, mapping, webhooks or connector, which a simulator must not share bugs with.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

import httpx

from lipwa.common.http import loopback_only_refusal, tls_context

D = TypeVar("D")
C = TypeVar("C", dict, list, set)

# Short enough that an unreachable receiver cannot stall a synchronous delivery (scenario 008) for long.
DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to POST a callback; `reference` names what it was about (a gateway's own id), and `status` is
    None when no HTTP answer came. Gateways whose log names other fields keep their own record type."""

    reference: str
    url: str
    status: int | None


class SimulatorState(Generic[D]):
    """One simulator's lock, delivery log and pending callback timers, and the `reset()` that forgets them."""

    def __init__(self) -> None:
        # Public so that the simulator's own records share it: one lock for the whole simulator means a reset
        # never interleaves with half an update of a record.
        self.lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._deliveries: list[D] = []
        self._stores: list[dict | list | set] = []

    def store(self, container: C) -> C:
        """Register a container of gateway records, to be emptied by `reset()`; returns it, for assignment."""
        self._stores.append(container)
        return container

    def module_functions(self) -> tuple[Callable[[threading.Timer], None], Callable[[threading.Timer], None],
                                        Callable[[], int], Callable[[D], None], Callable[[], list[D]],
                                        Callable[[], None]]:
        """(timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset), bound to this
        state: what a simulator's `state` module exports under those names, for its callbacks, views and tests."""
        return (self.timer_track, self.timer_done, self.timers_pending, self.delivery_record,
                self.deliveries_snapshot, self.reset)

    # -- callback timers ----------------------------------------------------------------------------------------

    def timer_track(self, timer: threading.Timer) -> None:
        with self.lock:
            self._timers.add(timer)

    def timer_done(self, timer: threading.Timer) -> None:
        with self.lock:
            self._timers.discard(timer)

    def timers_pending(self) -> int:
        with self.lock:
            return len(self._timers)

    # -- the delivery log ---------------------------------------------------------------------------------------

    def delivery_record(self, delivery: D) -> None:
        with self.lock:
            self._deliveries.append(delivery)

    def deliveries_snapshot(self) -> list[D]:
        with self.lock:
            return list(self._deliveries)

    def reset(self) -> None:
        """Forget every registered record and the delivery log, and cancel callbacks not yet started (a delivery
        already running finishes)."""
        with self.lock:
            timers = list(self._timers)
            self._timers.clear()
            for container in self._stores:
                container.clear()
            self._deliveries.clear()
        # Cancelled outside the lock: a timer that is just starting takes the lock in `timer_done`.
        for timer in timers:
            timer.cancel()


def start_timer(state: SimulatorState, *, name: str, delay_seconds: float, send: Callable[[], None],
                log: logging.Logger, failure: str) -> threading.Timer:
    """Run `send` in a daemon thread after `delay_seconds` of real time, tracked in `state` so that
    `state.reset()` can cancel it while it has not started. `failure` ends "… could not be delivered" in the log
    if `send` raises: a delivery thread must never die noisily, since delivery is best effort."""
    timer: threading.Timer

    def run() -> None:
        try:
            send()
        except Exception:
            log.exception("%s could not be delivered", failure)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = name
    state.timer_track(timer)
    timer.start()
    return timer


def _below_300(status: int) -> bool:
    return status < 300


def post_best_effort(url: str, body: bytes, *, headers: dict[str, str], log: logging.Logger, what: str,
                     method: str = "POST", host_only: bool = False,
                     answered_ok: Callable[[int], bool] = _below_300) -> int | None:
    """Send one callback and return the HTTP status, or None when no answer came; never raises.

    `what` opens each warning ("mpesa simulator: callback"). `host_only` keeps the URL's path and the
    exception's text out of the logs, for gateways whose callback path carries lipwa's per-account token.
    `answered_ok` says which statuses pass without a warning.
    """
    refusal = loopback_only_refusal(url)
    if refusal is not None:
        log.warning("%s to %s not sent: %s", what, url_host(url), refusal)
        return None
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False,
                          verify=tls_context()) as client:
            response = client.request(method, url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        if host_only:
            log.warning("%s to %s failed: %s", what, url_host(url), type(exc).__name__)
        else:
            log.warning("%s to %s failed: %s: %s", what, url, type(exc).__name__, exc)
        return None
    if not answered_ok(response.status_code):
        log.warning("%s to %s answered HTTP %s", what, url_host(url) if host_only else url, response.status_code)
    return response.status_code


def url_host(url: str) -> str:
    """The host of a callback URL, for logs that must not show its path."""
    try:
        return urlsplit(url).netloc or "an invalid URL"
    except ValueError:
        return "an invalid URL"
