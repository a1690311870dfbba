"""In-memory state of the Airtel simulator: tokens, its RSA key pair, collections, refunds, disbursements and
callback timers.

The state lives in this process only, behind one lock, so every thread of a threaded server sees the same
tokens and transactions. Serve the simulator from one process. The RSA key pair is generated once per process
and survives `reset()`: clients cache the public key until `valid_upto` (PROVIDERS.md §3.3), as they would
Airtel's. Times come from `lipwa.common.clock` so that tests move the clock instead of sleeping.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from lipwa.common import clock
from lipwa.connectors.simulation import SimulatorState

TOKEN_LIFETIME_SECONDS = 180  # the documented sample (§3.2)
KEY_LIFETIME_DAYS = 30

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_key_lock = threading.Lock()
_private_key: RSAPrivateKey | None = None
_tokens: dict[str, tuple[str, datetime]] = shared.store({})
_collections: dict[tuple[str, str], Transaction] = shared.store({})
_disbursements: dict[tuple[str, str], Transaction] = shared.store({})
_enquiries: dict[tuple[str, str], int] = shared.store({})
_refunded: set[str] = shared.store(set())


@dataclass(frozen=True, slots=True)
class Transaction:
    """One accepted collection or disbursement and the outcome the simulated customer or wallet gives it."""

    client_id: str
    transaction_id: str
    airtel_money_id: str
    country: str
    currency: str
    msisdn: str
    amount: Decimal
    scenario: str
    status: str  # the final transaction status: TS, TF or TE
    response_code: str  # the final response code
    message: str
    created_at: datetime
    final_at: datetime
    callback_url: str = ""
    ambiguous_enquiries: int = 0  # how many enquiries after final_at still answer TA (§3.10)


@dataclass(frozen=True, slots=True)
class Delivery:
    transaction_id: str
    url: str
    status: int | None  # None when no HTTP answer came


# -- the RSA key pair (§3.3) ----------------------------------------------------------------------------


def private_key() -> RSAPrivateKey:
    """The simulator's own key pair, generated on first use (about 50 ms) and kept for the process."""
    global _private_key
    with _key_lock:
        if _private_key is None:
            _private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _private_key


def key_valid_upto() -> datetime:
    return clock.now() + timedelta(days=KEY_LIFETIME_DAYS)


# -- access tokens --------------------------------------------------------------------------------------


def token_issue(client_id: str) -> str:
    token = secrets.token_urlsafe(24)
    with _lock:
        _tokens[token] = (client_id, clock.now() + timedelta(seconds=TOKEN_LIFETIME_SECONDS))
    return token


def token_client(token: str) -> str | None:
    """The client id `token` was issued to, while it is valid."""
    now = clock.now()
    with _lock:
        entry = _tokens.get(token)
        if entry is None:
            return None
        if now >= entry[1]:
            del _tokens[token]
            return None
        return entry[0]


# -- collections and disbursements ----------------------------------------------------------------------


def collection_add(transaction: Transaction) -> bool:
    """Store a new collection; False if the app already used this transaction id."""
    return _add(_collections, transaction)


def disbursement_add(transaction: Transaction) -> bool:
    return _add(_disbursements, transaction)


def _add(store: dict, transaction: Transaction) -> bool:
    key = (transaction.client_id, transaction.transaction_id)
    with _lock:
        if key in store:
            return False
        store[key] = transaction
        return True


def collection_get(client_id: str, transaction_id: str) -> Transaction | None:
    with _lock:
        return _collections.get((client_id, transaction_id))


def disbursement_get(client_id: str, transaction_id: str) -> Transaction | None:
    with _lock:
        return _disbursements.get((client_id, transaction_id))


def collection_by_airtel_money_id(client_id: str, airtel_money_id: str) -> Transaction | None:
    with _lock:
        return next((t for t in _collections.values()
                     if t.client_id == client_id and t.airtel_money_id == airtel_money_id), None)


def enquiry_count(kind: str, transaction: Transaction) -> int:
    """Count one more enquiry about a final transaction and return how many there have been."""
    key = (kind, transaction.transaction_id)
    with _lock:
        _enquiries[key] = _enquiries.get(key, 0) + 1
        return _enquiries[key]


def refund_mark(airtel_money_id: str) -> bool:
    """Record a refund of the collection `airtel_money_id`; False if it was already refunded."""
    with _lock:
        if airtel_money_id in _refunded:
            return False
        _refunded.add(airtel_money_id)
        return True


def collections_snapshot() -> list[Transaction]:
    with _lock:
        return sorted(_collections.values(), key=lambda t: t.created_at)


# -- callback timers and the delivery log ---------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything but the key pair, and cancel callbacks not yet started.
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()


# -- identifiers in Airtel's shapes ---------------------------------------------------------------------


def new_airtel_money_id(at: datetime, prefix: str = "MP") -> str:
    """An id shaped like the callback sample's `MP210603.1234.L06941` (§3.6): date, time, a letter, digits."""
    letter = secrets.choice(string.ascii_uppercase)
    digits = "".join(secrets.choice(string.digits) for _ in range(5))
    return f"{prefix}{at:%y%m%d}.{at:%H%M}.{letter}{digits}"
