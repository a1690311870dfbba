"""In-memory state of the Paynow simulator: transactions, callback timers and the delivery log.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver, the
pytest live server, gunicorn with one worker and several threads) sees the same transactions. A restart forgets
everything. Times come from `lipwa.common.clock` so that tests move the clock instead of sleeping.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from lipwa.common import clock
from lipwa.connectors.simulation import SimulatorState

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_transactions: dict[str, Transaction] = shared.store({})  # by guid
_next_number = 0


@dataclass(frozen=True, slots=True)
class Transaction:
    """One created Paynow transaction and the outcome it will have."""

    guid: str
    paynow_reference: str  # e.g. "4,218,339": Paynow's references may contain commas (PROVIDERS.md 7.9)
    number: int  # the same reference without separators, for URL paths
    integration_id: str
    reference: str
    amount: str  # two decimals, e.g. "10.00"
    method: str  # "" for web checkout, else ecocash / onemoney / innbucks
    phone: str  # local form, "" for web checkout
    result_url: str
    return_url: str
    poll_url: str
    browser_url: str
    scenario: str
    final_status: str  # what the transaction becomes; "" while a web customer has not decided
    created_at: datetime
    final_at: datetime | None  # None while a web customer has not decided
    callbacks: int
    authorization_code: str = ""
    authorization_expires: datetime | None = None

    def status_at(self, now: datetime) -> str:
        """Created (web, customer not decided) → Sent (prompt out) → the final status (PROVIDERS.md 7.7)."""
        if self.final_at is None:
            return "Created"
        return self.final_status if now >= self.final_at else "Sent"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to POST a status update; `status` is None when no HTTP answer came."""

    guid: str
    url: str
    status: int | None


def transaction_create(*, mount: str, integration_id: str, reference: str, amount: str, method: str, phone: str,
                       result_url: str, return_url: str, scenario: str, final_status: str,
                       delay_seconds: float | None, callbacks: int, innbucks: bool = False) -> Transaction:
    """Store a transaction. `delay_seconds` None keeps it undecided (web checkout, customer still choosing)."""
    global _next_number
    created_at = clock.now()
    final_at = None if delay_seconds is None else created_at + timedelta(seconds=max(delay_seconds, 0.0))
    guid = str(uuid.uuid4())
    with _lock:
        _next_number = _next_number or 1_000_000 + secrets.randbelow(8_000_000)
        _next_number += 1
        number = _next_number
        transaction = Transaction(
            guid=guid, paynow_reference=f"{number:,}", number=number, integration_id=integration_id,
            reference=reference, amount=amount, method=method, phone=phone, result_url=result_url,
            return_url=return_url, poll_url=f"{mount}/Interface/CheckPayment/?guid={guid}",
            browser_url="" if method else f"{mount}/Payment/ConfirmPayment/{number}",
            scenario=scenario, final_status=final_status, created_at=created_at, final_at=final_at,
            callbacks=callbacks,
            authorization_code="".join(secrets.choice("0123456789") for _ in range(9)) if innbucks else "",
            authorization_expires=created_at + timedelta(minutes=10) if innbucks else None,
        )
        _transactions[guid] = transaction
    return transaction


def transaction_get(guid: str) -> Transaction | None:
    with _lock:
        return _transactions.get(guid)


def transaction_by_number(number: int) -> Transaction | None:
    with _lock:
        return next((t for t in _transactions.values() if t.number == number), None)


def transaction_decide(guid: str, final_status: str) -> Transaction | None:
    """The web customer pays or gives up: final now. A transaction already decided stays as it was."""
    with _lock:
        current = _transactions.get(guid)
        if current is None or current.final_at is not None:
            return None
        decided = replace(current, final_status=final_status, final_at=clock.now())
        _transactions[guid] = decided
        return decided


def transactions_snapshot() -> list[Transaction]:
    with _lock:
        return sorted(_transactions.values(), key=lambda t: t.created_at)


# -- callback timers and the delivery log ------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel status updates not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()
