"""POSTing the checkout callback (PROVIDERS.md 4.6) to the checkout's callback URL.

Delivery is best effort: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised, and never retried (integrators report duplicate and missing
callbacks, 4.6, which scenarios 005, 004 and …2222 model on purpose instead).
"""

from __future__ import annotations

import json
import logging
import threading

import httpx

from . import state

log = logging.getLogger("lipwa.simulators.azampay")

# Short enough that an unreachable receiver cannot stall the synchronous delivery of scenario 008 for long.
DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)


def callback_body(checkout: state.Checkout) -> bytes:
    """The exact callback JSON: every documented key, `amount` as a string, lowercase status.

    It carries the final outcome: a callback is only ever sent once the simulated customer has acted.
    """
    status, message = checkout.status, checkout.message
    body = {
        "msisdn": checkout.msisdn,
        "amount": str(checkout.amount),
        "message": message,
        "utilityref": checkout.external_id,
        "operator": checkout.provider,
        "reference": checkout.transaction_id,
        "transactionstatus": status,
        "submerchantAcc": None,
        "fspReferenceId": checkout.fsp_reference_id if status == "success" else None,
        "additionalProperties": checkout.additional_properties,
    }
    return json.dumps(body).encode()


def deliver(checkout: state.Checkout, times: int = 1) -> None:
    """POST the callback `times` times, one after the other, in the calling thread."""
    if not checkout.callback_url:
        log.info("azampay simulator: checkout %s has no callbackUrl; no callback is sent", checkout.transaction_id)
        return
    body = callback_body(checkout)
    for _ in range(times):
        status = _post(checkout.callback_url, body)
        state.delivery_record(state.Delivery(checkout.external_id, checkout.callback_url, status))
        log.info("azampay simulator: callback for %s -> %s", checkout.external_id, status)


def schedule(checkout: state.Checkout, times: int, delay_seconds: float) -> threading.Timer:
    """Deliver the callback in a daemon thread after `delay_seconds` of real time."""
    # Tracked in `state` so that `state.reset()` can cancel a delivery that has not started yet.
    timer: threading.Timer

    def run() -> None:
        try:
            deliver(checkout, times)
        except Exception:  # a delivery thread must never die noisily; delivery is best effort
            log.exception("azampay simulator: callback for %s could not be delivered", checkout.external_id)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"azampay-sim-callback-{checkout.external_id}"
    state.timer_track(timer)
    timer.start()
    return timer


def _post(url: str, body: bytes) -> int | None:
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("azampay simulator: callback to %s failed: %s: %s", url, type(exc).__name__, exc)
        return None
    if response.status_code >= 300:
        log.warning("azampay simulator: callback to %s answered HTTP %s", url, response.status_code)
    return response.status_code
