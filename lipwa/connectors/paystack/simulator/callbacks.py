"""POSTing Paystack's webhooks (PROVIDERS.md 6.7): `{"event", "data"}`, signed with `x-paystack-signature`
= hex HMAC-SHA512 of the raw body keyed with the secret key (`sim_secret`).

Only `charge.success` is sent for charges (6.7: failures produce no webhook); refunds send `refund.processed`
or `refund.failed`. Delivery is best effort: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised. Paystack's retries are not modelled (scenario 005 duplicates on
purpose).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Callable

from lipwa.common import clock
from lipwa.connectors import simulation

from . import present, state, wire

log = logging.getLogger("lipwa.simulators.paystack")



def sign(body: bytes, secret_key: str = wire.SECRET_KEY) -> str:
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


def charge_success_body(transaction: state.SimTransaction) -> bytes:
    data = present.transaction_json(transaction, clock.now(), force_final=True)
    return json.dumps({"event": "charge.success", "data": data}).encode()


def refund_body(refund: state.SimRefund) -> bytes:
    """`refund.processed` / `refund.failed` (6.6, 6.7; the data's shape is an assumption, A)."""
    data = present.refund_json(refund, refund.final_at)
    transaction = data.pop("transaction")
    data["transaction_reference"] = transaction["reference"]
    data["amount"] = str(refund.amount)  # (A) refund webhooks carry the amount as a string
    return json.dumps({"event": f"refund.{refund.final_status}", "data": data}).encode()


def deliver(event: str, reference: str, url: str, body: bytes, times: int = 1) -> None:
    """POST `body` `times` times, one after the other, in the calling thread."""
    if not url:
        log.info("paystack simulator: no webhook URL for %s, so %s is not sent", reference, event)
        return
    for _ in range(times):
        status = _post(url, body)
        state.delivery_record(state.Delivery(event, reference, url, status))
        log.info("paystack simulator: %s for %s -> %s", event, reference, status)


def deliver_charge_success(transaction: state.SimTransaction, times: int = 1) -> None:
    deliver("charge.success", transaction.reference, transaction.webhook_url, charge_success_body(transaction),
            times)


def schedule(name: str, send: Callable[[], None], delay_seconds: float) -> threading.Timer:
    """Run `send` in a daemon thread after `delay_seconds` of real time; `state.reset()` cancels it."""
    return simulation.start_timer(state.shared, name=f"paystack-sim-webhook-{name}", delay_seconds=delay_seconds,
                                  send=send, log=log, failure=f"paystack simulator: webhook {name}")


def _post(url: str, body: bytes) -> int | None:
    headers = {"Content-Type": "application/json", "X-Paystack-Signature": sign(body)}
    # Paystack expects exactly 200 from a webhook receiver (6.7), so any other answer is worth a warning.
    return simulation.post_best_effort(url, body, headers=headers, log=log, what="paystack simulator: webhook",
                                       answered_ok=lambda status: status == 200)
