"""POSTing status updates (PROVIDERS.md 7.5) to a transaction's `resulturl`.

The body is form-encoded `reference, amount, paynowreference, pollurl, status, hash`, in that order, hashed with
the integration key (7.4). Delivery is best effort: an unreachable URL or an error answer is logged and recorded
in `state.deliveries_snapshot()`, never raised and never retried.
"""

from __future__ import annotations

import logging
import threading

import httpx

from . import state, wire

log = logging.getLogger("lipwa.simulators.paynow")

# Short enough that an unreachable receiver cannot stall the synchronous delivery of scenario 008 for long.
DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)


def status_update_body(transaction: state.Transaction, status: str) -> bytes:
    integration = wire.INTEGRATIONS[transaction.integration_id]
    pairs = [("reference", transaction.reference), ("amount", transaction.amount),
             ("paynowreference", transaction.paynow_reference), ("pollurl", transaction.poll_url),
             ("status", status)]
    return wire.encode(wire.signed_pairs(pairs, integration.key)).encode("ascii")


def deliver(transaction: state.Transaction, times: int = 1) -> None:
    """POST the final status update `times` times, one after the other, in the calling thread."""
    body = status_update_body(transaction, transaction.final_status)
    for _ in range(times):
        status = _post(transaction.result_url, body)
        state.delivery_record(state.Delivery(transaction.guid, transaction.result_url, status))
        log.info("paynow simulator: status update %s for %s -> %s", transaction.final_status,
                 transaction.paynow_reference, status)


def schedule(transaction: state.Transaction, times: int, delay_seconds: float) -> threading.Timer:
    """Deliver the final status update in a daemon thread after `delay_seconds` of real time."""
    timer: threading.Timer

    def run() -> None:
        try:
            deliver(transaction, times)
        except Exception:  # a delivery thread must never die noisily; Paynow's delivery is best effort too
            log.exception("paynow simulator: status update for %s could not be delivered", transaction.guid)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"paynow-sim-update-{transaction.number}"
    # Tracked in `state` so that `state.reset()` can cancel a delivery that has not started yet.
    state.timer_track(timer)
    timer.start()
    return timer


def _post(url: str, body: bytes) -> int | None:
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.post(url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("paynow simulator: status update to %s failed: %s: %s", url, type(exc).__name__, exc)
        return None
    if response.status_code >= 300:
        log.warning("paynow simulator: status update to %s answered HTTP %s", url, response.status_code)
    return response.status_code
