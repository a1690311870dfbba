"""POSTing the checkout callback (PROVIDERS.md 4.6) to the checkout's callback URL.

Delivery is best effort: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised, and never retried (integrators report duplicate and missing
callbacks, 4.6, which scenarios 005, 004 and …2222 model on purpose instead).
"""

from __future__ import annotations

import json
import logging
import threading

from lipwa.connectors import simulation

from . import state

log = logging.getLogger("lipwa.simulators.azampay")



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
    reference = checkout.external_id
    return simulation.start_timer(state.shared, name=f"azampay-sim-callback-{reference}", delay_seconds=delay_seconds,
                                  send=lambda: deliver(checkout, times), log=log,
                                  failure=f"azampay simulator: callback for {reference}")


def _post(url: str, body: bytes) -> int | None:
    return simulation.post_best_effort(url, body, headers={"Content-Type": "application/json"}, log=log,
                                       what="azampay simulator: callback")
