"""In-memory state of the Paystack simulator: transactions, saved authorizations, refunds, webhook timers.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver, the
pytest live server, gunicorn with one worker and several threads) sees the same records. Records are frozen
dataclasses replaced whole under the lock, so a reader never sees half an update. A restart forgets
everything, as a fresh test integration would. Times come from `lipwa.common.clock`.
"""

from __future__ import annotations

import itertools
import secrets
import string
from dataclasses import dataclass, field, replace
from datetime import datetime

from lipwa.common import clock
from lipwa.connectors.simulation import SimulatorState

_ALNUM = string.ascii_lowercase + string.digits

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_transactions: dict[str, SimTransaction] = shared.store({})  # by reference
_authorizations: dict[str, SavedAuthorization] = shared.store({})
_refunds: dict[str, SimRefund] = shared.store({})  # by id (a numeric string)
_transaction_ids = itertools.count(4_099_260_516)
_refund_ids = itertools.count(3_018_284)


class DuplicateReference(Exception):
    pass


class RefundTooLarge(Exception):
    def __init__(self, refundable: int) -> None:
        super().__init__(refundable)
        self.refundable = refundable


@dataclass(frozen=True, slots=True)
class SimTransaction:
    """One transaction and where it is in its flow.

    `stage` is `initialized` (checkout not used yet), `card_otp` (hosted page waiting for the OTP),
    `send_otp` (Charge API waiting for a voucher), `pay_offline` (waiting for the customer's phone; final at
    `final_at` by the clock) or `final`.
    """

    id: int
    reference: str
    access_code: str
    customer_code: str
    amount: int
    currency: str
    email: str
    channel: str  # "card" or "mobile_money"
    created_at: datetime
    stage: str
    metadata: object = None
    webhook_url: str = ""
    callback_url: str = ""
    final_status: str = ""  # "success" or "failed", once decided
    gateway_response: str = ""
    final_at: datetime | None = None
    provider: str = ""
    phone: str = ""
    scenario: str = ""
    webhooks: int = 1
    card_number: str = ""  # the card waiting for its OTP on the hosted page, and its expiry (MM/YY)
    card_expiry: str = ""
    authorization: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SavedAuthorization:
    code: str
    email: str
    currency: str
    reusable: bool
    details: dict  # the Transaction's `authorization` object


@dataclass(frozen=True, slots=True)
class SimRefund:
    id: str
    transaction_reference: str
    amount: int
    currency: str
    created_at: datetime
    final_at: datetime
    final_status: str  # "processed" or "failed"
    merchant_note: str = ""
    customer_note: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook POST; `status` is None when no HTTP answer came."""

    event: str
    reference: str
    url: str
    status: int | None


# -- transactions -------------------------------------------------------------------------------------------


def transaction_create(*, reference: str | None, **fields) -> SimTransaction:
    """Store a new transaction; a reference already used raises DuplicateReference (PROVIDERS.md 6.2)."""
    with _lock:
        reference = reference or _unique(lambda: "".join(secrets.choice(_ALNUM) for _ in range(10)), _transactions)
        if reference in _transactions:
            raise DuplicateReference(reference)
        transaction = SimTransaction(
            id=next(_transaction_ids), reference=reference, access_code=_random(15),
            customer_code="CUS_" + _random(15), created_at=clock.now(), **fields)
        _transactions[reference] = transaction
    return transaction


def transaction_get(reference: str) -> SimTransaction | None:
    with _lock:
        return _transactions.get(reference)


def transaction_find(key: str) -> SimTransaction | None:
    """By reference, or by the numeric id (refunds name a transaction either way, 6.6)."""
    with _lock:
        found = _transactions.get(key)
        if found is None and key.isdigit():
            found = next((t for t in _transactions.values() if t.id == int(key)), None)
        return found


def transaction_by_access_code(access_code: str) -> SimTransaction | None:
    with _lock:
        return next((t for t in _transactions.values() if t.access_code == access_code), None)


def transaction_advance(reference: str, from_stages: tuple[str, ...], **changes) -> SimTransaction | None:
    """Apply `changes` only if the transaction is still in one of `from_stages`; None otherwise.

    A compare-and-set, so that two submissions of one form (a double click) cannot both complete it.
    """
    with _lock:
        current = _transactions.get(reference)
        if current is None or current.stage not in from_stages:
            return None
        updated = replace(current, **changes)
        _transactions[reference] = updated
        return updated


def transactions_snapshot() -> list[SimTransaction]:
    with _lock:
        return sorted(_transactions.values(), key=lambda t: t.id)


# -- saved authorizations -----------------------------------------------------------------------------------


def authorization_save(authorization: SavedAuthorization) -> None:
    with _lock:
        _authorizations[authorization.code] = authorization


def authorization_get(code: str) -> SavedAuthorization | None:
    with _lock:
        return _authorizations.get(code)


# -- refunds ------------------------------------------------------------------------------------------------


def refund_create(*, transaction: SimTransaction, amount: int | None, final_at: datetime, final_status: str,
                  merchant_note: str, customer_note: str) -> SimRefund:
    """Store a refund if it fits in what is left to refund (refunds not failed count); RefundTooLarge if not.

    `amount` None refunds whatever is left. The check and the insert share the lock, so two concurrent
    refunds can never together exceed the transaction.
    """
    with _lock:
        committed = sum(r.amount for r in _refunds.values()
                        if r.transaction_reference == transaction.reference and r.final_status != "failed")
        refundable = transaction.amount - committed
        amount = refundable if amount is None else amount
        if amount <= 0 or amount > refundable:
            raise RefundTooLarge(refundable)
        refund = SimRefund(id=str(next(_refund_ids)), transaction_reference=transaction.reference, amount=amount,
                           currency=transaction.currency, created_at=clock.now(), final_at=final_at,
                           final_status=final_status, merchant_note=merchant_note, customer_note=customer_note)
        _refunds[refund.id] = refund
    return refund


def refund_get(refund_id: str) -> SimRefund | None:
    with _lock:
        return _refunds.get(refund_id)


def balances(currencies: tuple[str, ...]) -> dict[str, int]:
    """Per currency: what successful transactions brought in, less refunds processed by now (subunits)."""
    now = clock.now()
    totals = dict.fromkeys(currencies, 0)
    with _lock:
        for transaction in _transactions.values():
            if transaction.final_status == "success" and transaction.currency in totals:
                totals[transaction.currency] += transaction.amount
        for refund in _refunds.values():
            if refund.final_status == "processed" and refund.final_at <= now and refund.currency in totals:
                totals[refund.currency] -= refund.amount
    return totals


def refunds_for(reference: str) -> list[SimRefund]:
    with _lock:
        return sorted((r for r in _refunds.values() if r.transaction_reference == reference), key=lambda r: int(r.id))


# -- webhook timers and the delivery log --------------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel webhooks not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()


# -- identifiers ----------------------------------------------------------------------------------------------


def new_authorization_code() -> str:
    return "AUTH_" + _random(10)


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def _unique(make, existing: dict) -> str:
    while True:
        candidate = make()
        if candidate not in existing:
            return candidate
