"""POSTing the collection callback (PROVIDERS.md §3.6) to the URL the request named.

The body is `{"transaction": {id, message, status_code, airtel_money_id}, "hash": …}`. The simulated app has
"authenticated callback" enabled, so every callback carries the hash: base64(HMAC-SHA256(client secret, compact
JSON of the transaction object)), computed exactly as the public SDK does (`json.dumps(transaction,
separators=(",", ":"))`). The body itself is sent with Python's default separators (`", "`, `": "`), so the raw
`transaction` text differs from the bytes that were hashed: a receiver that only hashes the raw substring fails,
as it would against an Airtel that pretty-prints. That is the re-serialisation quirk §3.6 warns about.

Delivery is best effort: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised, and never retried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading

from lipwa.connectors import simulation

from . import state

log = logging.getLogger("lipwa.simulators.airtel")

# The simulated app's callback secret is its client secret, as in the public SDK (§3.6; DESIGN.md §6 default).
CALLBACK_SECRET = "sim_secret"


def transaction_hash(transaction: dict, secret: str = CALLBACK_SECRET) -> str:
    message = json.dumps(transaction, separators=(",", ":")).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def callback_body(transaction: state.Transaction, status_code: str, message: str) -> bytes:
    payload = {"id": transaction.transaction_id, "message": message, "status_code": status_code,
               "airtel_money_id": transaction.airtel_money_id}
    return json.dumps({"transaction": payload, "hash": transaction_hash(payload)}).encode()


def success_message(transaction: state.Transaction) -> str:
    """Worded like the §3.6 sample: "Paid UGX 5,000 to TECHNOLOGIES LIMITED … Trans ID MP210603.1234.L06941."."""
    return (f"Paid {transaction.currency} {transaction.amount:,} to LIPWA SIMULATOR, "
            f"Trans ID {transaction.airtel_money_id}.")


def deliver(transaction: state.Transaction, status_code: str, message: str, times: int = 1) -> None:
    """POST the callback `times` times, one after the other, in the calling thread."""
    if not transaction.callback_url:
        log.info("airtel simulator: no callback URL for %s, so no callback (as an app without one)",
                 transaction.transaction_id)
        return
    body = callback_body(transaction, status_code, message)
    for _ in range(times):
        status = _post(transaction.callback_url, body)
        state.delivery_record(state.Delivery(transaction.transaction_id, transaction.callback_url, status))
        log.info("airtel simulator: callback for %s -> %s", transaction.transaction_id, status)


def schedule(transaction: state.Transaction, status_code: str, message: str, times: int,
             delay_seconds: float) -> threading.Timer:
    """Deliver in a daemon thread after `delay_seconds` of real time; `state.reset()` cancels it if not begun."""
    reference = transaction.transaction_id
    return simulation.start_timer(state.shared, name=f"airtel-sim-callback-{reference}", delay_seconds=delay_seconds,
                                  send=lambda: deliver(transaction, status_code, message, times), log=log,
                                  failure=f"airtel simulator: callback for {reference}")


def _post(url: str, body: bytes) -> int | None:
    return simulation.post_best_effort(url, body, headers={"Content-Type": "application/json"}, log=log,
                                       what="airtel simulator: callback")
