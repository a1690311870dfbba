"""The transition tables, exhaustively: every pair of statuses is either allowed, a no-op or an error."""

from __future__ import annotations

from itertools import product

import pytest

from lipwa.common.errors import InvalidTransition
from lipwa.payments.states import (
    ATTEMPT_FINAL,
    ATTEMPT_TRANSITIONS,
    PAYMENT_FINAL,
    PAYMENT_TRANSITIONS,
    AttemptStatus,
    PaymentStatus,
    attempt_transition,
    payment_transition,
)

TABLES = [
    pytest.param("payment", payment_transition, PaymentStatus, PAYMENT_TRANSITIONS, id="payment"),
    pytest.param("attempt", attempt_transition, AttemptStatus, ATTEMPT_TRANSITIONS, id="attempt"),
]


def _pairs(statuses, table, allowed: bool):
    return [(a, b) for a, b in product(statuses, statuses) if a != b and (b in table[a]) == allowed]


@pytest.mark.parametrize("entity, transition, statuses, table", TABLES)
def test_every_status_has_a_row(entity, transition, statuses, table):
    assert set(table) == set(statuses)
    for current, targets in table.items():
        assert current not in targets, f"{entity} {current} lists itself; same status is a no-op, not a move"


@pytest.mark.parametrize("entity, transition, statuses, table", TABLES)
def test_every_allowed_transition_returns_true(entity, transition, statuses, table):
    pairs = _pairs(statuses, table, allowed=True)
    assert pairs
    for current, target in pairs:
        assert transition(current.value, target.value) is True, (current, target)


@pytest.mark.parametrize("entity, transition, statuses, table", TABLES)
def test_every_other_pair_raises_naming_both_statuses(entity, transition, statuses, table):
    pairs = _pairs(statuses, table, allowed=False)
    assert pairs
    for current, target in pairs:
        with pytest.raises(InvalidTransition) as caught:
            transition(current.value, target.value)
        error = caught.value
        assert (error.entity, error.current, error.target) == (entity, current.value, target.value)
        assert repr(current.value) in str(error) and repr(target.value) in str(error)


@pytest.mark.parametrize("entity, transition, statuses, table", TABLES)
def test_same_status_is_a_no_op(entity, transition, statuses, table):
    for status in statuses:
        assert transition(status.value, status.value) is False


def test_final_payment_statuses_have_no_exits():
    assert PAYMENT_FINAL == {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED,
                             PaymentStatus.EXPIRED}
    for status in PAYMENT_FINAL:
        assert PAYMENT_TRANSITIONS[status] == frozenset()
        for target in PaymentStatus:
            if target != status:
                with pytest.raises(InvalidTransition):
                    payment_transition(status, target)


def test_final_attempt_statuses_have_no_exits_except_a_late_success_after_expiry():
    for status in ATTEMPT_FINAL - {AttemptStatus.EXPIRED}:
        assert ATTEMPT_TRANSITIONS[status] == frozenset()
    # lipwa's expiry is its own decision to stop waiting; a success the gateway reports afterwards did happen.
    assert ATTEMPT_TRANSITIONS[AttemptStatus.EXPIRED] == frozenset({AttemptStatus.SUCCEEDED})


def test_a_processing_payment_cannot_be_cancelled():
    with pytest.raises(InvalidTransition):
        payment_transition("processing", "cancelled")


@pytest.mark.parametrize("current, target", [("paid", "succeeded"), ("pending", "done"), ("", "pending")])
def test_unknown_status_names_are_refused(current, target):
    with pytest.raises(ValueError):
        payment_transition(current, target)


def test_invalid_transition_survives_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(InvalidTransition("payment", "succeeded", "failed")))
    assert (error.entity, error.current, error.target) == ("payment", "succeeded", "failed")
