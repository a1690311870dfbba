"""In-memory state of the MTN MoMo simulator: API users, tokens, operations and callback timers.

The state lives in this process only, behind one lock, so every thread of a threaded server (runserver, the pytest
live server, gunicorn with one worker and several threads) sees the same users, tokens and requests. A restart
forgets everything, as a fresh sandbox would. Times come from `lipwa.common.clock` so tests move the clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from lipwa.common import clock
from lipwa.connectors import simulation
from lipwa.connectors.simulation import SimulatorState

TOKEN_LIFETIME_SECONDS = 3600
# The pre-provisioned API user of DESIGN.md's simulator credentials: any target environment, any callback host.
SIM_API_USER = "sim_key"
SIM_API_KEY = "sim_secret"
SANDBOX = "sandbox"

# One lock, delivery log and timer set for the whole simulator; `reset()` empties every `shared.store`.
shared: SimulatorState[Delivery] = SimulatorState()
_lock = shared.lock
_api_users: dict[str, ApiUser] = shared.store({})
_tokens: dict[str, Token] = shared.store({})
_operations: dict[tuple[str, str], Operation] = shared.store({})


@dataclass(frozen=True, slots=True)
class ApiUser:
    api_user: str
    api_key: str | None
    # None for the pre-provisioned user, which may call back anywhere and use every target environment.
    provider_callback_host: str | None
    target_environment: str | None = SANDBOX

    def allows_environment(self, environment: str) -> bool:
        return self.target_environment is None or self.target_environment == environment

    def allows_callback_host(self, host: str) -> bool:
        return self.provider_callback_host is None or host.lower() == self.provider_callback_host.lower()


@dataclass(frozen=True, slots=True)
class Token:
    product: str
    api_user: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Operation:
    """One accepted request to pay, transfer or refund, and the outcome it is going to have."""

    kind: str  # "requesttopay", "transfer" or "refund"
    reference: str
    target_environment: str
    amount: Decimal
    currency: str
    external_id: str
    party: dict[str, str]  # the payer (request to pay) or the payee (transfer, refund)
    payer_message: str
    payee_note: str
    callback_url: str
    scenario: str
    final_status: str  # SUCCESSFUL or FAILED; PENDING for a request that never ends
    final_reason: str
    created_at: datetime
    final_at: datetime | None  # None: stays PENDING for ever (the sandbox's "ongoing" number)
    pending_reason: str = ""
    # Fixed at creation so that duplicate callbacks (scenario 005) carry identical bodies.
    financial_transaction_id: str = field(default_factory=lambda: str(1_000_000_000 + secrets.randbelow(9 * 10**9)))
    refund_of: str = ""  # the request to pay a refund returns money for

    def status_at(self, now: datetime) -> tuple[str, str]:
        """(status, reason) as a status query at `now` reports them."""
        if self.final_at is None or now < self.final_at:
            return "PENDING", self.pending_reason
        return self.final_status, self.final_reason

    def body_at(self, now: datetime) -> dict[str, object]:
        """The status body (PROVIDERS.md 2.5, 2.10), which is also the callback body (2.6)."""
        status, reason = self.status_at(now)
        body: dict[str, object] = {}
        if status == "SUCCESSFUL":
            body["financialTransactionId"] = self.financial_transaction_id
        body.update({"externalId": self.external_id, "amount": _amount_text(self.amount), "currency": self.currency,
                     "payer" if self.kind == "requesttopay" else "payee": dict(self.party),
                     "payerMessage": self.payer_message, "payeeNote": self.payee_note, "status": status})
        if reason:
            body["reason"] = reason  # a bare string, as the sandbox sends it (2.5)
        return body


# (reference, url, status): `reference` is the gateway's own id of what the callback is about.
Delivery = simulation.Delivery


def _amount_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


# -- API users and tokens --------------------------------------------------------------------------------


def api_user_create(api_user: str, provider_callback_host: str) -> bool:
    """Create a sandbox API user; False if the id is taken."""
    with _lock:
        if api_user in _api_users or api_user == SIM_API_USER:
            return False
        _api_users[api_user] = ApiUser(api_user, None, provider_callback_host)
        return True


def api_user_get(api_user: str) -> ApiUser | None:
    if api_user == SIM_API_USER:
        return ApiUser(SIM_API_USER, SIM_API_KEY, None, None)
    with _lock:
        return _api_users.get(api_user)


def api_key_create(api_user: str) -> str | None:
    """A new key for a provisioned user (replacing any earlier one); None if there is no such user."""
    key = secrets.token_hex(16)
    with _lock:
        user = _api_users.get(api_user)
        if user is None:
            return None
        _api_users[api_user] = ApiUser(user.api_user, key, user.provider_callback_host, user.target_environment)
    return key


def token_issue(product: str, api_user: str) -> str:
    token = secrets.token_urlsafe(32)
    with _lock:
        _tokens[token] = Token(product, api_user, clock.now() + timedelta(seconds=TOKEN_LIFETIME_SECONDS))
    return token


def token_get(token: str, product: str) -> Token | None:
    """The live token for `product`; a collection token does not open disbursement endpoints (2.1)."""
    now = clock.now()
    with _lock:
        found = _tokens.get(token)
        if found is None or found.product != product:
            return None
        if now >= found.expires_at:
            del _tokens[token]
            return None
        return found


# -- operations -------------------------------------------------------------------------------------------


def operation_add(operation: Operation) -> bool:
    """Store `operation`; False if its X-Reference-Id is already used for this kind (409, 2.4)."""
    with _lock:
        key = (operation.kind, operation.reference)
        if key in _operations:
            return False
        _operations[key] = operation
        return True


def operation_exists(kind: str, reference: str) -> bool:
    with _lock:
        return (kind, reference) in _operations


def operation_get(kind: str, reference: str) -> Operation | None:
    with _lock:
        return _operations.get((kind, reference))


def refunds_of(reference: str) -> list[Operation]:
    with _lock:
        return [op for op in _operations.values() if op.kind == "refund" and op.refund_of == reference]


def operations_snapshot() -> list[Operation]:
    """Every stored operation, oldest first (the records are immutable, so this is a safe copy)."""
    with _lock:
        return sorted(_operations.values(), key=lambda op: op.created_at)


# -- callback timers and the delivery log ------------------------------------------------------------------


# Shared with every simulator (`lipwa.connectors.simulation`), under the names the callbacks, views and tests use.
# `reset()`: forget everything and cancel callbacks not yet started (a delivery already running finishes).
timer_track, timer_done, timers_pending, delivery_record, deliveries_snapshot, reset = shared.module_functions()
