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

from lipwa.connectors import simulation
from lipwa.connectors.feexpay import catalogue

from . import state, wire

log = logging.getLogger("lipwa.simulators.feexpay")



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
    reference = transaction.reference
    return simulation.start_timer(state.shared, name=f"feexpay-sim-webhook-{reference}", delay_seconds=delay_seconds,
                                  send=lambda: deliver(transaction, times), log=log,
                                  failure=f"feexpay simulator: webhook for {reference}")


def _post(url: str, body: bytes, request_headers: dict[str, str]) -> int | None:
    return simulation.post_best_effort(url, body, headers=request_headers, log=log, what="feexpay simulator: webhook")
