"""POSTing FeexPay's webhook (PROVIDERS.md 5.4) to the request's `webhook_url`, signed as lipwa expects.

Delivery is best effort: an unreachable URL or an error answer is logged and recorded in
`state.deliveries_snapshot()`, never raised, and never retried (scenario 005 is deliberate duplication).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading

import httpx

from lipwa.connectors.feexpay import catalogue

from . import state, wire

log = logging.getLogger("lipwa.simulators.feexpay")

DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)


def network_name(network: str) -> str:
    """`reseau` as integrations show it ("MTN CI"): the operator, then the country; Benin's bare segments
    (`mtn`, `moov`) are Benin's."""
    operator, _, country = network.partition("_")
    return f"{operator.upper()} {(country or 'bj').upper()}" if network != "card" else "CARTE"


def webhook_body(transaction: state.Transaction) -> bytes:
    """The 5.4 field set, plus the webhook id (P), for a transaction that has reached its final status."""
    succeeded = transaction.final_status == "SUCCESSFUL"
    body = {
        catalogue.WEBHOOK_ID_FIELD: transaction.webhook_id,
        "reference": transaction.reference,
        "amount": transaction.amount,
        "status": transaction.final_status,
        "reason": transaction.reason or None,
        "responsemsg": transaction.message,
        "callback_info": transaction.callback_info,
        "email": transaction.email or None,
        "type": "Paiement",
        "phoneNumber": transaction.phone_number,
        "date": transaction.final_at.isoformat().replace("+00:00", "Z"),
        "reseau": network_name(transaction.network),
        "ref_link": transaction.ref_link,
        "description": transaction.description,
        "ref_operator": transaction.operator_reference if succeeded else None,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def signature(body: bytes, secret: str = wire.WEBHOOK_SECRET) -> str:
    """Hex HMAC-SHA256 of the raw body (catalogue: lipwa's webhook authentication, P)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers(transaction: state.Transaction, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        catalogue.WEBHOOK_SIGNATURE_HEADER: signature(body),
        catalogue.WEBHOOK_ID_HEADER: transaction.webhook_id,
        # PROVIDERS.md 5.8's own convention, for integrations that compare this header with their secret.
        "Authorization": f"Bearer {wire.WEBHOOK_SECRET}",
    }


def deliver(transaction: state.Transaction, times: int = 1) -> None:
    """POST the webhook `times` times, one after the other, in the calling thread."""
    if not transaction.webhook_url:
        log.info("feexpay simulator: %s has no webhook_url; no webhook is sent", transaction.reference)
        return
    body = webhook_body(transaction)
    for _ in range(times):
        status = _post(transaction.webhook_url, body, headers(transaction, body))
        state.delivery_record(state.Delivery(transaction.reference, transaction.webhook_url, status))
        log.info("feexpay simulator: webhook for %s -> %s", transaction.reference, status)


def schedule(transaction: state.Transaction, times: int, delay_seconds: float) -> threading.Timer:
    """Deliver the webhook in a daemon thread after `delay_seconds` of real time."""
    timer: threading.Timer

    def run() -> None:
        try:
            deliver(transaction, times)
        except Exception:  # a delivery thread must never die noisily; delivery is best effort
            log.exception("feexpay simulator: webhook for %s could not be delivered", transaction.reference)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"feexpay-sim-webhook-{transaction.reference}"
    # Tracked in `state` so that `state.reset()` can cancel a delivery that has not started yet.
    state.timer_track(timer)
    timer.start()
    return timer


def _post(url: str, body: bytes, request_headers: dict[str, str]) -> int | None:
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=request_headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("feexpay simulator: webhook to %s failed: %s: %s", url, type(exc).__name__, exc)
        return None
    if response.status_code >= 300:
        log.warning("feexpay simulator: webhook to %s answered HTTP %s", url, response.status_code)
    return response.status_code
