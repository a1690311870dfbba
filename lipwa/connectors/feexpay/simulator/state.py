"""In-memory state of the FeexPay simulator: transactions, card links, callback timers and the delivery log.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver, the
pytest live server, gunicorn with one worker and several threads) sees the same data. A restart forgets
everything, as a fresh sandbox would. Times come from `lipwa.common.clock`, so tests move the clock instead of
sleeping.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from lipwa.common import clock
from lipwa.connectors import simulation
from lipwa.connectors.simulation import SimulatorState

# The final time of a request that never ends (scenario 012).
NEVER = datetime.max.replace(tzinfo=UTC)

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_transactions: dict[str, Transaction] = shared.store({})
_links: dict[str, Link] = shared.store({})


@dataclass(frozen=True, slots=True)
class Transaction:
    """One accepted request to pay (or one card payment) and the outcome it will reach."""

    reference: str
    shop: str
    network: str  # FeexPay's network segment, or "card"
    phone_number: str | None
    amount: int
    description: str
    callback_info: str
    webhook_url: str
    scenario: str
    final_status: str  # SUCCESSFUL, FAILED, or PENDING for a request that never ends
    reason: str
    message: str
    created_at: datetime
    final_at: datetime
    # Fixed at creation, so that redeliveries of the webhook carry identical bodies and the same id.
    webhook_id: str
    operator_reference: str
    email: str = ""
    ref_link: str | None = None

    def status_at(self, now: datetime) -> str:
        return self.final_status if now >= self.final_at else "PENDING"


@dataclass(frozen=True, slots=True)
class Link:
    """A hosted card payment page (`POST /feexlink/api-create`)."""

    link_id: str
    shop: str
    amount: int
    currency: str
    description: str
    return_url: str
    error_url: str
    webhook_url: str
    callback_info: str
    created_at: datetime
    reference: str | None = None  # the transaction, once the customer has paid (or failed) on the page


# (reference, url, status): `reference` is the gateway's own id of what the callback is about.
Delivery = simulation.Delivery


# -- transactions -------------------------------------------------------------------------------------------


def transaction_create(*, delay_seconds: float | None, **fields) -> Transaction:
    """Store a transaction that becomes final `delay_seconds` after now; None means never."""
    created_at = clock.now()
    if delay_seconds is None:
        final_at = NEVER
    else:
        final_at = created_at + timedelta(seconds=max(delay_seconds, 0.0))
    with _lock:
        reference = _unique(lambda: f"FXP-{uuid.uuid4()}", _transactions)
        transaction = Transaction(reference=reference, created_at=created_at, final_at=final_at,
                                  webhook_id=f"whk_{secrets.token_hex(12)}",
                                  operator_reference=f"{secrets.randbelow(10**11):011d}", **fields)
        _transactions[reference] = transaction
    return transaction


def transaction_get(reference: str) -> Transaction | None:
    with _lock:
        return _transactions.get(reference)


def transactions_snapshot() -> list[Transaction]:
    """Every stored transaction, oldest first (the records are immutable, so this is a safe copy)."""
    with _lock:
        return sorted(_transactions.values(), key=lambda t: t.created_at)


# -- card links ---------------------------------------------------------------------------------------------


def link_create(**fields) -> Link:
    with _lock:
        link_id = _unique(lambda: secrets.token_hex(10), _links)
        link = Link(link_id=link_id, created_at=clock.now(), **fields)
        _links[link_id] = link
    return link


def link_get(link_id: str) -> Link | None:
    with _lock:
        return _links.get(link_id)


def link_paid(link_id: str, reference: str) -> Link | None:
    """Record the transaction of a link; None if the link was already used (each link is paid once)."""
    with _lock:
        link = _links.get(link_id)
        if link is None or link.reference is not None:
            return None
        _links[link_id] = replace(link, reference=reference)
        return _links[link_id]


# -- callback timers and the delivery log -------------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel callbacks not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()


def _unique(make, taken: dict) -> str:
    # Called with the lock held.
    while True:
        candidate = make()
        if candidate not in taken:
            return candidate
