"""attempt_apply_result with rows the caller already locked: the same outcome, without reading them again."""

from __future__ import annotations

import pytest
from django.db import transaction

from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.ledger.models import Transfer
from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(merchant):
    unreachable_mpesa_account(merchant)
    return payment_with_attempt(merchant)


def _lock(payment, attempt):
    return (PaymentIntent.objects.select_for_update(of=("self",)).select_related("merchant").get(id=payment.id),
            PaymentAttempt.objects.select_for_update().get(id=attempt.id))


def test_locked_rows_give_the_same_success_as_a_fresh_read(pending):
    payment, attempt = pending
    with transaction.atomic():
        locked = _lock(payment, attempt)
        result = attempt_apply_result(attempt_id=attempt.id, source="sync", locked=locked,
                                      result=ChargeResult(ResultStatus.SUCCEEDED, receipt_number="RCP1"))
    assert result is locked[0]
    payment.refresh_from_db()
    assert (payment.status, payment.receipt_number) == ("succeeded", "RCP1")
    assert PaymentAttempt.objects.get(id=attempt.id).sync_count == 1
    assert Transfer.objects.filter(id=f"{attempt.id}:charge").exists()
    assert PaymentEvent.objects.filter(payment=payment, type="payment.succeeded").count() == 1


def test_an_error_after_applying_rolls_back_the_callers_change(pending):
    payment, attempt = pending
    with pytest.raises(RuntimeError), transaction.atomic():
        attempt_apply_result(attempt_id=attempt.id, source="sync", locked=_lock(payment, attempt),
                             result=ChargeResult(ResultStatus.SUCCEEDED))
        raise RuntimeError("the caller fails afterwards")
    payment.refresh_from_db()
    assert payment.status != "succeeded" and not Transfer.objects.exists()


def test_rows_that_do_not_belong_together_are_refused(pending, merchant):
    payment, attempt = pending
    other, _ = payment_with_attempt(merchant)
    with transaction.atomic(), pytest.raises(ValueError, match="not attempt"):
        attempt_apply_result(attempt_id=attempt.id, source="sync", locked=_lock(other, attempt),
                             result=ChargeResult(ResultStatus.SUCCEEDED))
