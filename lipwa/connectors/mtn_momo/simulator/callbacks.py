"""Sending an operation's final status to its X-Callback-Url (PROVIDERS.md 2.6).

The body is the status body, without the X-Reference-Id, exactly as MTN sends it. MTN uses PUT or POST; the
simulator POSTs, because lipwa's /hooks/ endpoint accepts POST only (see the package docstring). Delivery is best
effort, as the older MTN behaviour is: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised, and never retried.
"""

from __future__ import annotations

import json
import logging
import threading
from urllib.parse import urlsplit

import httpx

from lipwa.common import clock

from . import state

log = logging.getLogger("lipwa.simulators.mtn_momo")

# Short enough that an unreachable receiver cannot stall the synchronous delivery of scenario 008 for long.
DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)
CALLBACK_METHOD = "POST"


def callback_body(operation: state.Operation) -> bytes:
    """The final status body; taken once the operation is final, so every copy of it is identical."""
    final_at = operation.final_at or clock.now()
    return json.dumps(operation.body_at(max(final_at, clock.now()))).encode()


def deliver(operation: state.Operation, times: int = 1) -> None:
    """Send the callback `times` times, one after the other, in the calling thread."""
    body = callback_body(operation)
    for _ in range(times):
        status = _send(operation.callback_url, body)
        state.delivery_record(state.Delivery(operation.reference, operation.callback_url, status))
        log.info("mtn_momo simulator: callback for %s -> %s", operation.reference, status)


def schedule(operation: state.Operation, times: int, delay_seconds: float) -> threading.Timer:
    """Deliver the callback in a daemon thread after `delay_seconds` of real time."""
    timer: threading.Timer

    def run() -> None:
        try:
            deliver(operation, times)
        except Exception:  # a delivery thread must never die noisily; MTN's delivery is best effort too
            log.exception("mtn_momo simulator: callback for %s could not be delivered", operation.reference)
        finally:
            state.timer_done(timer)

    # Tracked in `state` so that `state.reset()` can cancel a delivery that has not started yet.
    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"mtn-momo-sim-callback-{operation.reference}"
    state.timer_track(timer)
    timer.start()
    return timer


def _send(url: str, body: bytes) -> int | None:
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.request(CALLBACK_METHOD, url, content=body, headers={"Content-Type": "application/json"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("mtn_momo simulator: callback to %s failed: %s", _where(url), type(exc).__name__)
        return None
    if response.status_code >= 300:
        log.warning("mtn_momo simulator: callback to %s answered HTTP %s", _where(url), response.status_code)
    return response.status_code


def _where(url: str) -> str:
    """The host of a callback URL: its path carries lipwa's per-account callback token, which stays out of logs."""
    try:
        return urlsplit(url).netloc or "an invalid URL"
    except ValueError:
        return "an invalid URL"
