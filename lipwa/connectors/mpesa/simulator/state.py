"""In-memory state of the Daraja simulator: tokens, STK requests, C2B registrations and callback timers.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver,
the pytest live server, gunicorn with one worker and several threads) sees the same tokens and requests.
Several worker processes would each have their own: a token issued by one would be "Invalid Access Token"
on another. Serve the simulator from one process. A restart forgets everything, as a fresh sandbox would.

Times are taken from `lipwa.common.clock` so that tests move the clock instead of sleeping.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lipwa.common import clock
from lipwa.connectors import simulation
from lipwa.connectors.simulation import SimulatorState

TOKEN_LIFETIME_SECONDS = 3599
# Daraja's timestamps (CheckoutRequestID, TransactionDate) are East Africa Time, which has no DST.
EAT = timezone(timedelta(hours=3), "EAT")

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_TOKEN_ALPHABET = string.ascii_letters + string.digits

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_tokens: dict[str, datetime] = shared.store({})
_requests: dict[str, StkRequest] = shared.store({})
_c2b_registrations: dict[str, C2bRegistration] = shared.store({})
_c2b_balances: dict[str, int] = shared.store({})


@dataclass(frozen=True, slots=True)
class StkRequest:
    """One accepted STK push and the outcome the simulated customer will give it."""

    checkout_request_id: str
    merchant_request_id: str
    shortcode: str
    amount: int
    phone: str
    callback_url: str
    scenario: str
    result_code: int
    result_desc: str
    created_at: datetime
    final_at: datetime
    # Fixed at creation so that duplicate callbacks (scenario 005) carry identical bodies.
    receipt: str
    transaction_date: int


# (reference, url, status): `reference` is the CheckoutRequestID (STK) or TransID (C2B).
Delivery = simulation.Delivery


@dataclass(frozen=True, slots=True)
class C2bRegistration:
    shortcode: str
    response_type: str
    confirmation_url: str
    validation_url: str


# -- access tokens ---------------------------------------------------------------------------------


def token_issue() -> str:
    token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(28))
    with _lock:
        _tokens[token] = clock.now() + timedelta(seconds=TOKEN_LIFETIME_SECONDS)
    return token


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


# -- STK requests ----------------------------------------------------------------------------------


def stk_create(*, shortcode: str, amount: int, phone: str, callback_url: str, scenario: str,
               result_code: int, result_desc: str, delay_seconds: float) -> StkRequest:
    """Store a new STK request that becomes final `delay_seconds` after now (by `clock.now()`)."""
    created_at = clock.now()
    final_at = created_at + timedelta(seconds=max(delay_seconds, 0.0))
    with _lock:
        checkout_request_id = _unique_checkout_request_id(created_at)
        request = StkRequest(
            checkout_request_id=checkout_request_id,
            merchant_request_id=new_request_id(),
            shortcode=shortcode, amount=amount, phone=phone, callback_url=callback_url,
            scenario=scenario, result_code=result_code, result_desc=result_desc,
            created_at=created_at, final_at=final_at,
            receipt=new_receipt_number(final_at),
            transaction_date=int(final_at.astimezone(EAT).strftime("%Y%m%d%H%M%S")),
        )
        _requests[checkout_request_id] = request
    return request


def stk_get(checkout_request_id: str) -> StkRequest | None:
    with _lock:
        return _requests.get(checkout_request_id)


def requests_snapshot() -> list[StkRequest]:
    """Every stored request, oldest first (the records are immutable, so this is a safe copy)."""
    with _lock:
        return sorted(_requests.values(), key=lambda r: r.created_at)


# -- C2B ---------------------------------------------------------------------------------------------------


def c2b_register(registration: C2bRegistration) -> None:
    """Register (or, as the sandbox allows, re-register) a shortcode's URLs."""
    with _lock:
        _c2b_registrations[registration.shortcode] = registration


def c2b_registration(shortcode: str) -> C2bRegistration | None:
    with _lock:
        return _c2b_registrations.get(shortcode)


def c2b_credit(shortcode: str, amount: int) -> int:
    """Add a C2B payment to the shortcode's simulated balance and return the new balance (whole KES)."""
    with _lock:
        _c2b_balances[shortcode] = _c2b_balances.get(shortcode, 0) + amount
        return _c2b_balances[shortcode]


# -- callback timers and the delivery log ------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel callbacks not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()


# -- identifiers in Daraja's shapes ------------------------------------------------------------------


def new_request_id() -> str:
    """An id shaped like Daraja's MerchantRequestID / requestId: `2654-4b64-97ff-b827b542881d3130`."""
    hexes = secrets.token_hex(12)
    digits = "".join(secrets.choice(string.digits) for _ in range(4))
    return f"{hexes[:4]}-{hexes[4:8]}-{hexes[8:12]}-{hexes[12:]}{digits}"


def new_conversation_id() -> str:
    """An id shaped like C2B's OriginatorCoversationID: `7619-37765134-1`."""
    return f"{secrets.randbelow(10_000):04d}-{secrets.randbelow(100_000_000):08d}-1"


def _unique_checkout_request_id(created_at: datetime) -> str:
    # Called with the lock held. Daraja's ids are `ws_CO_` + DDMMYYYYHHmmss (EAT) + more digits.
    stamp = created_at.astimezone(EAT)
    prefix = "ws_CO_" + stamp.strftime("%d%m%Y%H%M%S") + f"{stamp.microsecond // 1000:03d}"
    while True:
        candidate = prefix + "".join(secrets.choice(string.digits) for _ in range(9))
        if candidate not in _requests:
            return candidate


def new_receipt_number(at: datetime) -> str:
    """Ten uppercase letters and digits, like `NLJ7RT61SV`.

    Real receipts open with year (N = 2019), month (A = January) and day (1-9, then A = 10) letters:
    `NLJ…` was issued on 19 December 2019. Copying that keeps receipts plausible in the dashboard;
    nothing may parse it.
    """
    local = at.astimezone(EAT)
    year = chr(ord("A") + (13 + local.year - 2019) % 26)
    month = chr(ord("A") + local.month - 1)
    day = str(local.day) if local.day < 10 else chr(ord("A") + local.day - 10)
    return year + month + day + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(7))
