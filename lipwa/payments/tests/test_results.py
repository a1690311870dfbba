"""attempt_apply_result at its edges: unknown outcomes, finals, late and repeated answers, bad references.

No gateway is called: the attempts come from factories on an account whose gateway is a closed port, and
each test hands attempt_apply_result the answer a connector would have produced.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lipwa.common import clock
from lipwa.common.errors import NotFound
from lipwa.common.money import Money
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.payments.models import PaymentAttempt, PaymentEvent
from lipwa.payments.results import SYNC_BACKOFF_SECONDS, attempt_apply_result, sync_delay_seconds
from lipwa.payments.services import payment_expire

from .factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db

KES_100 = Money(10000, "KES")


@pytest.fixture
def account(merchant):
    return unreachable_mpesa_account(merchant)


@pytest.fixture
def pair(merchant, account):
    clock.freeze()
    return payment_with_attempt(merchant)


def apply(attempt, status: ResultStatus, *, source: str = "callback", **fields):
    return attempt_apply_result(attempt_id=attempt.id, result=ChargeResult(status, **fields), source=source)


def events(payment) -> list[str]:
    return list(PaymentEvent.objects.filter(payment=payment).order_by("id").values_list("type", flat=True))


def fresh(payment, attempt):
    payment.refresh_from_db()
    attempt.refresh_from_db()
    return payment, attempt


def test_backoff_schedule():
    assert SYNC_BACKOFF_SECONDS == (10, 30, 60, 300, 900, 3600)
    assert [sync_delay_seconds(n) for n in range(10)] == [10, 30, 60, 300, 900, 3600, 3600, 3600, 3600, 3600]


def test_unknown_keeps_processing_and_requeries_on_the_backoff_schedule(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.UNKNOWN, source="initiate", gateway_message="timed out")
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status, attempt.outcome_unknown) == ("processing", "processing", True)
    assert (attempt.sync_count, attempt.next_sync_at) == (0, clock.now() + timedelta(seconds=10))
    for expected_count, delay in enumerate([30, 60, 300, 900, 3600, 3600, 3600], start=1):
        apply(attempt, ResultStatus.UNKNOWN, source="sync")
        payment, attempt = fresh(payment, attempt)
        assert attempt.sync_count == expected_count
        assert attempt.next_sync_at == clock.now() + timedelta(seconds=delay), expected_count
        assert (payment.status, attempt.status, attempt.outcome_unknown) == ("processing", "processing", True)
    assert payment.failure_code == "" and not payment.needs_review
    assert "payment.failed" not in events(payment)


def test_a_callback_does_not_count_as_a_query(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.PROCESSING, source="callback", gateway_reference="ws_CO_1")
    attempt.refresh_from_db()
    assert attempt.sync_count == 0
    assert attempt.outcome_unknown is False, "an accepted push is processing, not unknown"


def test_success_records_receipt_and_succeeded_at(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.PROCESSING, source="initiate", gateway_reference="ws_CO_1")
    clock.advance(5)
    apply(attempt, ResultStatus.SUCCEEDED, gateway_reference="ws_CO_1", receipt_number="NLJ7RT61SV",
          amount=KES_100)
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status) == ("succeeded", "succeeded")
    assert payment.receipt_number == attempt.receipt_number == "NLJ7RT61SV"
    assert payment.succeeded_at == clock.now()
    assert payment.gateway_reference == attempt.gateway_reference == "ws_CO_1"
    assert attempt.next_sync_at is None and attempt.outcome_unknown is False
    assert events(payment).count("payment.succeeded") == 1


@pytest.mark.parametrize("status, failure_code, expected", [
    (ResultStatus.CANCELLED, None, "customer_cancelled"),
    (ResultStatus.EXPIRED, None, "customer_timeout"),
    (ResultStatus.FAILED, FailureCode.INSUFFICIENT_FUNDS, "insufficient_funds"),
    (ResultStatus.CANCELLED, FailureCode.WRONG_PIN, "wrong_pin"),  # the gateway's own reason wins
])
def test_declines_map_to_failed_with_a_normalized_code(pair, status, failure_code, expected):
    payment, attempt = pair
    apply(attempt, status, failure_code=failure_code, gateway_message="declined by customer")
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, payment.failure_code) == ("failed", expected)
    assert (attempt.status, attempt.failure_code) == ("failed", expected)
    assert payment.failure_message == "declined by customer"
    assert attempt.next_sync_at is None
    assert events(payment).count("payment.failed") == 1


def test_late_success_after_expiry_is_kept_on_the_attempt_and_flagged(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.PROCESSING, source="initiate", gateway_reference="ws_CO_late")
    clock.advance(901)
    payment_expire(payment_id=payment.id)
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status) == ("expired", "expired")
    apply(attempt, ResultStatus.SUCCEEDED, gateway_reference="ws_CO_late", receipt_number="LATE000001",
          amount=KES_100)
    payment, attempt = fresh(payment, attempt)
    assert payment.status == "expired", "a final payment never changes"
    assert payment.needs_review
    assert (attempt.status, attempt.receipt_number) == ("succeeded", "LATE000001")
    assert events(payment).count("payment.review_required") == 1
    assert "payment.succeeded" not in events(payment)
    # The same late answer again is a repeat, not a second reason for review.
    apply(attempt, ResultStatus.SUCCEEDED, gateway_reference="ws_CO_late", receipt_number="LATE000001")
    assert events(fresh(payment, attempt)[0]).count("payment.review_required") == 1


def test_late_failure_after_expiry_changes_nothing(pair):
    payment, attempt = pair
    clock.advance(901)
    payment_expire(payment_id=payment.id)
    apply(attempt, ResultStatus.FAILED, failure_code=FailureCode.INSUFFICIENT_FUNDS)
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status, payment.needs_review) == ("expired", "expired", False)
    assert payment.failure_code == ""


def test_a_second_different_reference_is_ignored_and_logged(pair, caplog):
    payment, attempt = pair
    apply(attempt, ResultStatus.PROCESSING, source="initiate", gateway_reference="ws_CO_first")
    with caplog.at_level(logging.ERROR, logger="lipwa.payments"):
        apply(attempt, ResultStatus.PROCESSING, gateway_reference="ws_CO_second")
    payment, attempt = fresh(payment, attempt)
    assert attempt.gateway_reference == payment.gateway_reference == "ws_CO_first"
    assert any("ws_CO_first" in r.getMessage() and "ws_CO_second" in r.getMessage() for r in caplog.records)


def test_a_reference_of_another_attempt_flags_review_instead_of_crashing(merchant, account, pair):
    payment, attempt = pair
    other_payment, other_attempt = payment_with_attempt(merchant)
    apply(other_attempt, ResultStatus.PROCESSING, source="initiate", gateway_reference="ws_CO_taken")
    apply(attempt, ResultStatus.PROCESSING, source="initiate", gateway_reference="ws_CO_taken")
    payment, attempt = fresh(payment, attempt)
    other_payment, other_attempt = fresh(other_payment, other_attempt)
    assert attempt.gateway_reference is None and payment.gateway_reference == ""
    assert other_attempt.gateway_reference == "ws_CO_taken"
    assert payment.needs_review and not other_payment.needs_review
    assert events(payment).count("payment.review_required") == 1
    assert PaymentAttempt.objects.filter(gateway_reference="ws_CO_taken").count() == 1


def test_a_repeated_final_answer_only_adds_a_missing_receipt(pair):
    payment, attempt = pair
    # The status query says succeeded but (like Daraja's) carries no receipt; the callback brings it.
    apply(attempt, ResultStatus.SUCCEEDED, source="sync", gateway_reference="ws_CO_r")
    payment, attempt = fresh(payment, attempt)
    succeeded_at = payment.succeeded_at
    assert (payment.status, payment.receipt_number) == ("succeeded", "")
    clock.advance(30)
    apply(attempt, ResultStatus.SUCCEEDED, gateway_reference="ws_CO_r", receipt_number="RCPT000001",
          gateway_message="a different message")
    payment, attempt = fresh(payment, attempt)
    assert payment.receipt_number == attempt.receipt_number == "RCPT000001"
    assert payment.succeeded_at == succeeded_at
    assert attempt.gateway_message != "a different message"
    # A later, different receipt never overwrites the first.
    apply(attempt, ResultStatus.SUCCEEDED, gateway_reference="ws_CO_r", receipt_number="RCPT000002")
    payment, attempt = fresh(payment, attempt)
    assert payment.receipt_number == attempt.receipt_number == "RCPT000001"
    assert events(payment).count("payment.succeeded") == 1
    assert not payment.needs_review


def test_a_repeated_failure_keeps_the_first_reason(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.FAILED, failure_code=FailureCode.INSUFFICIENT_FUNDS)
    apply(attempt, ResultStatus.FAILED, failure_code=FailureCode.WRONG_PIN)
    payment, attempt = fresh(payment, attempt)
    assert (payment.failure_code, attempt.failure_code) == ("insufficient_funds", "insufficient_funds")
    assert events(payment).count("payment.failed") == 1


def test_success_after_failure_is_not_applied_but_flagged(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.FAILED, failure_code=FailureCode.INSUFFICIENT_FUNDS)
    apply(attempt, ResultStatus.SUCCEEDED, receipt_number="RCPT000009", amount=KES_100)
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status) == ("failed", "failed")
    assert payment.needs_review and payment.receipt_number == ""


def test_a_pending_answer_after_a_final_one_changes_nothing(pair):
    payment, attempt = pair
    apply(attempt, ResultStatus.SUCCEEDED, receipt_number="RCPT000003", amount=KES_100)
    apply(attempt, ResultStatus.PROCESSING, source="sync")
    apply(attempt, ResultStatus.UNKNOWN, source="sync")
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status, attempt.next_sync_at) == ("succeeded", "succeeded", None)
    assert not payment.needs_review


@pytest.mark.parametrize("amount", [Money(9900, "KES"), Money(10000, "TZS")])
def test_a_success_for_another_amount_is_not_applied(pair, amount):
    payment, attempt = pair
    apply(attempt, ResultStatus.SUCCEEDED, receipt_number="RCPT000004", amount=amount)
    payment, attempt = fresh(payment, attempt)
    assert (payment.status, attempt.status) == ("processing", "pending")
    assert payment.needs_review
    assert events(payment).count("payment.review_required") == 1


def test_an_unknown_attempt_is_not_found(db):
    with pytest.raises(NotFound):
        attempt_apply_result(attempt_id="att_missing", result=ChargeResult(ResultStatus.UNKNOWN), source="sync")


def test_a_failed_result_needs_a_code():
    with pytest.raises(ValueError):
        ChargeResult(ResultStatus.FAILED)
