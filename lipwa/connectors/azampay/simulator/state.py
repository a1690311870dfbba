"""In-memory state of the AzamPay simulator: tokens, checkouts, disbursements, callback timers.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver, the
pytest live server, gunicorn with one worker and several threads) sees the same tokens and checkouts. Several
worker processes would each have their own: serve the simulator from one process. A restart forgets
everything, as a fresh sandbox would.

Times are taken from `lipwa.common.clock` so that tests move the clock instead of sleeping.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lipwa.common import clock
from lipwa.connectors import simulation
from lipwa.connectors.simulation import SimulatorState

from .scenarios import PENDING, PENDING_MESSAGE

TOKEN_LIFETIME_SECONDS = 24 * 3600  # "tokens last ~24 h" (PROVIDERS.md 4.2)

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_tokens: dict[str, datetime] = shared.store({})
_checkouts: dict[str, Checkout] = shared.store({})  # by transactionId
_checkout_ids: dict[str, str] = shared.store({})  # externalId / referenceId → transactionId
_disbursements: dict[str, Disbursement] = shared.store({})  # by externalReferenceId


@dataclass(frozen=True, slots=True)
class Checkout:
    """One accepted MNO or bank checkout and the outcome the simulated customer will give it."""

    transaction_id: str
    external_id: str
    kind: str  # "mno" or "bank"
    account_number: str  # the MSISDN (MNO) or the bank account number
    msisdn: str  # who the callback names as the payer
    amount: int  # whole TZS
    provider: str  # canonical spelling, e.g. "Mpesa", "CRDB"
    callback_url: str
    scenario: str
    status: str
    message: str
    created_at: datetime
    final_at: datetime | None  # None: never final (scenario …1111)
    # Fixed at creation so that duplicate callbacks (005, …2222) carry identical bodies.
    fsp_reference_id: str
    additional_properties: dict | None = field(default=None, compare=False)

    def status_at(self, now: datetime) -> tuple[str, str]:
        if self.final_at is None or now < self.final_at:
            return PENDING, PENDING_MESSAGE
        return self.status, self.message


@dataclass(frozen=True, slots=True)
class Disbursement:
    reference: str  # externalReferenceId
    provider: str
    account_number: str
    amount: int
    scenario: str
    status: str
    message: str
    created_at: datetime
    final_at: datetime

    def status_at(self, now: datetime) -> tuple[str, str]:
        return (PENDING, PENDING_MESSAGE) if now < self.final_at else (self.status, self.message)


# (reference, url, status): `reference` is the gateway's own id of what the callback is about.
Delivery = simulation.Delivery


# -- access tokens ---------------------------------------------------------------------------------


def token_issue() -> tuple[str, datetime]:
    # Shaped like a JWT (three base64url parts), as AzamPay's are (4.2 "eyJ…"); nothing may decode it.
    token = "eyJ" + ".".join(secrets.token_urlsafe(size) for size in (24, 48, 32))
    expires_at = clock.now() + timedelta(seconds=TOKEN_LIFETIME_SECONDS)
    with _lock:
        _tokens[token] = expires_at
    return token, expires_at


def token_is_valid(token: str) -> bool:
    now = clock.now()
    with _lock:
        expires_at = _tokens.get(token)
        if expires_at is None:
            return False
        if now >= expires_at:
            del _tokens[token]
            return False
        return True


# -- checkouts -------------------------------------------------------------------------------------


def checkout_create(*, external_id: str, kind: str, account_number: str, msisdn: str, amount: int, provider: str,
                    callback_url: str, scenario: str, status: str, message: str, delay_seconds: float | None,
                    additional_properties: dict | None) -> Checkout | None:
    """Store a checkout final `delay_seconds` from now (None: never); None if the externalId was used."""
    created_at = clock.now()
    final_at = None if delay_seconds is None else created_at + timedelta(seconds=max(delay_seconds, 0.0))
    with _lock:
        if external_id in _checkout_ids:
            return None
        checkout = Checkout(
            transaction_id=_unique(_checkouts), external_id=external_id, kind=kind, account_number=account_number,
            msisdn=msisdn, amount=amount, provider=provider, callback_url=callback_url, scenario=scenario,
            status=status, message=message, created_at=created_at, final_at=final_at,
            fsp_reference_id=_fsp_reference(), additional_properties=additional_properties)
        _checkouts[checkout.transaction_id] = checkout
        _checkout_ids[external_id] = checkout.transaction_id
    return checkout


def checkout_find(reference: str) -> Checkout | None:
    """By AzamPay's transactionId or by the merchant's externalId (the (P) status-query contract, 4.7)."""
    with _lock:
        checkout = _checkouts.get(reference)
        if checkout is None and reference in _checkout_ids:
            checkout = _checkouts[_checkout_ids[reference]]
        return checkout


def checkouts_snapshot() -> list[Checkout]:
    with _lock:
        return sorted(_checkouts.values(), key=lambda c: c.created_at)


# -- disbursements ---------------------------------------------------------------------------------


def disbursement_create(*, reference: str, provider: str, account_number: str, amount: int, scenario: str,
                        status: str, message: str, delay_seconds: float) -> Disbursement | None:
    created_at = clock.now()
    with _lock:
        if reference in _disbursements:
            return None
        disbursement = Disbursement(reference=reference, provider=provider, account_number=account_number,
                                    amount=amount, scenario=scenario, status=status, message=message,
                                    created_at=created_at,
                                    final_at=created_at + timedelta(seconds=max(delay_seconds, 0.0)))
        _disbursements[reference] = disbursement
    return disbursement


def disbursement_get(reference: str) -> Disbursement | None:
    with _lock:
        return _disbursements.get(reference)


def disbursements_snapshot() -> list[Disbursement]:
    with _lock:
        return sorted(_disbursements.values(), key=lambda d: d.created_at)


# -- callback timers and the delivery log ----------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel callbacks not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()


# -- identifiers -----------------------------------------------------------------------------------


def new_trace_id() -> str:
    """A W3C trace id as ASP.NET puts in `traceId`: `00-<32 hex>-<16 hex>-00`."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def _unique(existing: dict) -> str:
    # Called with the lock held. AzamPay's transactionId format is not documented (4.3 shows "ab12…").
    while True:
        candidate = secrets.token_hex(16)
        if candidate not in existing:
            return candidate


def _fsp_reference() -> str:
    """The MNO's own receipt (4.6 `fspReferenceId`), random as 4.10 says: ten upper-case letters and digits."""
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(10))
