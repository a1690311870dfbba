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

import httpx

from lipwa.common import clock

from . import present, state, wire

log = logging.getLogger("lipwa.simulators.paystack")

DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)


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
    timer: threading.Timer

    def run() -> None:
        try:
            send()
        except Exception:  # a delivery thread must never die noisily; delivery is best effort
            log.exception("paystack simulator: webhook %s could not be delivered", name)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"paystack-sim-webhook-{name}"
    state.timer_track(timer)
    timer.start()
    return timer


def _post(url: str, body: bytes) -> int | None:
    headers = {"Content-Type": "application/json", "X-Paystack-Signature": sign(body)}
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("paystack simulator: webhook to %s failed: %s: %s", url, type(exc).__name__, exc)
        return None
    if response.status_code != 200:
        log.warning("paystack simulator: webhook to %s answered HTTP %s", url, response.status_code)
    return response.status_code
