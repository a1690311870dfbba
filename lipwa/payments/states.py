"""Statuses and their allowed transitions, as data.

A transition to the current status is a no-op (that is what makes a duplicate callback harmless); a
transition the table does not list raises InvalidTransition naming both statuses.
"""

from __future__ import annotations

from enum import StrEnum

from lipwa.common.errors import InvalidTransition


class PaymentStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class AttemptStatus(StrEnum):
    PENDING = "pending"  # persisted, not yet sent to the gateway
    PROCESSING = "processing"  # sent; accepted, or outcome unknown
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"  # lipwa stopped waiting for it (its payment expired or was cancelled)


P, A = PaymentStatus, AttemptStatus

PAYMENT_FINAL = frozenset({P.SUCCEEDED, P.FAILED, P.CANCELLED, P.EXPIRED})
ATTEMPT_FINAL = frozenset({A.SUCCEEDED, A.FAILED, A.EXPIRED})

PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.PENDING: frozenset({P.REQUIRES_ACTION, P.PROCESSING, P.SUCCEEDED, P.FAILED, P.CANCELLED, P.EXPIRED}),
    P.REQUIRES_ACTION: frozenset({P.PROCESSING, P.SUCCEEDED, P.FAILED, P.CANCELLED, P.EXPIRED}),
    # A processing payment cannot be cancelled: the prompt is already on the customer's phone.
    P.PROCESSING: frozenset({P.REQUIRES_ACTION, P.SUCCEEDED, P.FAILED, P.EXPIRED}),
    P.SUCCEEDED: frozenset(),
    P.FAILED: frozenset(),
    P.CANCELLED: frozenset(),
    P.EXPIRED: frozenset(),
}

ATTEMPT_TRANSITIONS: dict[AttemptStatus, frozenset[AttemptStatus]] = {
    A.PENDING: frozenset({A.PROCESSING, A.REQUIRES_ACTION, A.SUCCEEDED, A.FAILED, A.EXPIRED}),
    A.PROCESSING: frozenset({A.REQUIRES_ACTION, A.SUCCEEDED, A.FAILED, A.EXPIRED}),
    A.REQUIRES_ACTION: frozenset({A.PROCESSING, A.SUCCEEDED, A.FAILED, A.EXPIRED}),
    A.SUCCEEDED: frozenset(),
    A.FAILED: frozenset(),
    # lipwa's expiry is our own decision to stop waiting, not the gateway's answer: a success reported
    # afterwards really happened and is recorded on the attempt (the payment stays expired, for review).
    A.EXPIRED: frozenset({A.SUCCEEDED}),
}


def payment_transition(current: str, target: str) -> bool:
    """Return True if the status changes, False for a no-op; raise if the table forbids it."""
    return _transition("payment", PAYMENT_TRANSITIONS, PaymentStatus(current), PaymentStatus(target))


def attempt_transition(current: str, target: str) -> bool:
    return _transition("attempt", ATTEMPT_TRANSITIONS, AttemptStatus(current), AttemptStatus(target))


def _transition(entity: str, table: dict, current: StrEnum, target: StrEnum) -> bool:
    if current == target:
        return False
    if target not in table[current]:
        raise InvalidTransition(entity, current.value, target.value)
    return True


class RefundStatus(StrEnum):
    REQUIRES_APPROVAL = "requires_approval"  # above the merchant's threshold: a second person must approve
    REJECTED = "rejected"
    PENDING = "pending"  # approved (or needing no approval); money held; not yet accepted by the gateway
    PROCESSING = "processing"  # sent to the gateway; accepted or outcome unknown
    SUCCEEDED = "succeeded"
    FAILED = "failed"


R = RefundStatus
REFUND_FINAL = frozenset({R.SUCCEEDED, R.FAILED, R.REJECTED})
# Refunds that count against what can still be refunded.
REFUND_ACTIVE = frozenset({R.REQUIRES_APPROVAL, R.PENDING, R.PROCESSING, R.SUCCEEDED})

REFUND_TRANSITIONS: dict[RefundStatus, frozenset[RefundStatus]] = {
    R.REQUIRES_APPROVAL: frozenset({R.PENDING, R.REJECTED}),
    R.PENDING: frozenset({R.PROCESSING, R.SUCCEEDED, R.FAILED}),  # succeeded directly: a manual refund
    R.PROCESSING: frozenset({R.SUCCEEDED, R.FAILED}),
    R.SUCCEEDED: frozenset(),
    R.FAILED: frozenset(),
    R.REJECTED: frozenset(),
}


def refund_transition(current: str, target: str) -> bool:
    return _transition("refund", REFUND_TRANSITIONS, RefundStatus(current), RefundStatus(target))
