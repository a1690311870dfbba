"""POSTing status updates (PROVIDERS.md 7.5) to a transaction's `resulturl`.

The body is form-encoded `reference, amount, paynowreference, pollurl, status, hash`, in that order, hashed with
the integration key (7.4). Delivery is best effort: an unreachable URL or an error answer is logged and recorded
in `state.deliveries_snapshot()`, never raised and never retried.
"""

from __future__ import annotations

import logging
import threading

from lipwa.connectors import simulation

from . import state, wire

log = logging.getLogger("lipwa.simulators.paynow")



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
    return simulation.start_timer(state.shared, name=f"paynow-sim-update-{transaction.number}",
                                  delay_seconds=delay_seconds, send=lambda: deliver(transaction, times), log=log,
                                  failure=f"paynow simulator: status update for {transaction.guid}")


def _post(url: str, body: bytes) -> int | None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return simulation.post_best_effort(url, body, headers=headers, log=log, what="paynow simulator: status update")
