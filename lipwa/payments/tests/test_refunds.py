"""Refunds: partial and full, approval by a second person, manual evidence, never more than captured."""

from __future__ import annotations

import pytest

from lipwa.audit.services import audit_trail
from lipwa.common.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from lipwa.connectors.types import FailureCode, OperationResult, ResultStatus
from lipwa.ledger.selectors import balance_get, ledger_verify
from lipwa.payments.models import PaymentEvent, Refund
from lipwa.payments.refunds import (
    refund_apply_result,
    refund_approve,
    refund_create,
    refund_record_manual,
    refund_reject,
)

from .factories import payment_with_attempt, succeeded_payment, unreachable_mpesa_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(merchant):
    unreachable_mpesa_account(merchant)
    return succeeded_payment(merchant, amount_minor=10000)


def create(merchant, payment, amount=None, by="api_key:key_1"):
    return refund_create(merchant=merchant, mode="test", payment_id=payment.id, amount=amount, requested_by=by)


def available(merchant) -> int:
    return balance_get(merchant=merchant, mode="test")["balances"][0]["available"]


def test_partial_refunds_then_the_rest(merchant, paid):
    first = create(merchant, paid, 3000)
    assert (first.status, first.method) == ("pending", "manual"), "M-Pesa refunds are recorded by hand"
    assert available(merchant) == 7000  # held
    refund_record_manual(refund_id=first.id, operator="user:ops", evidence={"reference": "BANK-1"})
    rest = create(merchant, paid)
    assert rest.amount_minor == 7000
    refund_record_manual(refund_id=rest.id, operator="user:ops", evidence={"reference": "BANK-2"})
    paid.refresh_from_db()
    assert paid.amount_refunded_minor == 10000 and available(merchant) == 0
    assert ledger_verify() == []
    with pytest.raises(InvalidRequest) as refused:
        create(merchant, paid, 1)
    assert refused.value.code == "amount_exceeds_refundable"


@pytest.mark.parametrize("amount", [0, -1, 10001, True])
def test_bad_amounts_change_nothing(merchant, paid, amount):
    with pytest.raises(InvalidRequest):
        create(merchant, paid, amount)
    assert Refund.objects.count() == 0 and available(merchant) == 10000


def test_refund_of_an_unpaid_payment(merchant):
    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    with pytest.raises(Conflict) as refused:
        create(merchant, payment)
    assert refused.value.code == "payment_not_refundable"
    with pytest.raises(NotFound):
        refund_create(merchant=merchant, mode="live", payment_id=payment.id, requested_by="x")


def test_refund_larger_than_the_available_balance_is_refused(merchant):
    unreachable_mpesa_account(merchant)
    payment = succeeded_payment(merchant, amount_minor=10000, fee_minor=500)
    with pytest.raises(Conflict) as refused:
        create(merchant, payment)  # the merchant has 9500 after the fee
    assert refused.value.code == "balance_insufficient"
    assert Refund.objects.count() == 0


def test_approval_by_a_second_person(merchant, paid):
    merchant.refund_approval_thresholds = {"KES": 5000}
    merchant.save()
    small = create(merchant, paid, 5000)
    assert small.status == "pending"
    big = create(merchant, paid, 4000, by="user:alice")
    assert big.status == "pending"  # 4000 is below the threshold too
    merchant.refund_approval_thresholds = {"KES": 100}
    merchant.save()
    large = create(merchant, paid, 1000, by="user:alice")
    assert large.status == "requires_approval" and available(merchant) == 1000  # nothing held yet for it
    with pytest.raises(PermissionDenied) as refused:
        refund_approve(refund_id=large.id, approver="user:alice")
    assert refused.value.code == "approval_by_requester"
    approved = refund_approve(refund_id=large.id, approver="user:bob")
    assert (approved.status, approved.decided_by) == ("pending", "user:bob")
    with pytest.raises(Conflict):
        refund_approve(refund_id=large.id, approver="user:bob")  # twice
    assert [e.action for e in audit_trail(object_id=large.id)] == ["refund.approve"]
    types = list(PaymentEvent.objects.filter(payment=paid).values_list("type", flat=True))
    assert "refund.approval_required" in types and "refund.approved" in types


def test_rejection_releases_nothing_and_is_final(merchant, paid):
    merchant.refund_approval_thresholds = {"KES": 0}
    merchant.save()
    refund = create(merchant, paid, 2000, by="user:alice")
    refund_reject(refund_id=refund.id, rejecter="user:bob", note="customer kept the goods")
    refund.refresh_from_db()
    assert refund.status == "rejected" and available(merchant) == 10000
    with pytest.raises(Conflict):
        refund_approve(refund_id=refund.id, approver="user:carol")
    assert create(merchant, paid, 10000, by="user:alice").amount_minor == 10000  # rejected ones do not count


def test_gateway_failure_releases_the_hold(merchant, paid):
    refund = create(merchant, paid, 4000)
    Refund.objects.filter(id=refund.id).update(method="gateway")
    refund_apply_result(refund_id=refund.id, result=OperationResult(ResultStatus.PROCESSING, gateway_reference="R1"))
    refund_apply_result(refund_id=refund.id, result=OperationResult(
        ResultStatus.FAILED, failure_code=FailureCode.PROVIDER_DECLINED, gateway_message="declined"))
    refund.refresh_from_db()
    assert (refund.status, refund.failure_code) == ("failed", "provider_declined")
    assert available(merchant) == 10000 and ledger_verify() == []
    refund_apply_result(refund_id=refund.id, result=OperationResult(ResultStatus.SUCCEEDED))  # too late: ignored
    refund.refresh_from_db()
    assert refund.status == "failed"


def test_manual_record_needs_evidence(merchant, paid):
    refund = create(merchant, paid, 1000)
    with pytest.raises(InvalidRequest):
        refund_record_manual(refund_id=refund.id, operator="user:ops", evidence={})
    refund_record_manual(refund_id=refund.id, operator="user:ops", evidence={"reference": "CASH-7"})
    with pytest.raises(Conflict):
        refund_record_manual(refund_id=refund.id, operator="user:ops", evidence={"reference": "CASH-7"})
    assert audit_trail(object_id=refund.id)[0].details["reference"] == "CASH-7"
