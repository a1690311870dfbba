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

from lipwa.common import clock
from lipwa.connectors import simulation

from . import state

log = logging.getLogger("lipwa.simulators.mtn_momo")

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
    reference = operation.reference
    return simulation.start_timer(state.shared, name=f"mtn-momo-sim-callback-{reference}",
                                  delay_seconds=delay_seconds, send=lambda: deliver(operation, times), log=log,
                                  failure=f"mtn_momo simulator: callback for {reference}")


def _send(url: str, body: bytes) -> int | None:
    # Host only: the callback path carries lipwa's per-account callback token, which stays out of logs.
    return simulation.post_best_effort(url, body, headers={"Content-Type": "application/json"}, log=log,
                                       what="mtn_momo simulator: callback", method=CALLBACK_METHOD, host_only=True)
