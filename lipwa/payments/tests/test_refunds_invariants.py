"""Whatever the interleaving, refunds never exceed what was captured and the ledger stays consistent."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from lipwa.common.errors import LipwaError
from lipwa.connectors.types import FailureCode, OperationResult, ResultStatus
from lipwa.ledger.selectors import ledger_verify
from lipwa.payments.models import PaymentIntent, Refund
from lipwa.payments.refunds import (
    refund_apply_result,
    refund_approve,
    refund_create,
    refund_record_manual,
    refund_reject,
)

from .factories import succeeded_payment, unreachable_mpesa_account
from .test_concurrency import _race

AMOUNT = 10000
RESULTS = [OperationResult(ResultStatus.PROCESSING, gateway_reference="R"), OperationResult(ResultStatus.SUCCEEDED),
           OperationResult(ResultStatus.FAILED, failure_code=FailureCode.PROVIDER_DECLINED),
           OperationResult(ResultStatus.UNKNOWN)]


class RefundMachine(RuleBasedStateMachine):
    merchant = None

    @initialize()
    def pay(self):
        self.merchant.refund_approval_thresholds = {}  # every example starts from the same policy
        self.merchant.save()
        self.payment = succeeded_payment(self.merchant, amount_minor=AMOUNT)

    def _refunds(self):
        return list(Refund.objects.filter(payment=self.payment).order_by("id"))

    @rule(amount=st.one_of(st.none(), st.integers(min_value=-5, max_value=AMOUNT + 5)),
          requester=st.sampled_from(["user:a", "user:b"]))
    def request(self, amount, requester):
        try:
            refund_create(merchant=self.merchant, mode="test", payment_id=self.payment.id, amount=amount,
                          requested_by=requester)
        except LipwaError:
            pass

    @rule(pick=st.integers(min_value=0, max_value=20), decider=st.sampled_from(["user:a", "user:b", "user:c"]),
          approve=st.booleans())
    def decide(self, pick, decider, approve):
        refunds = self._refunds()
        if refunds:
            refund = refunds[pick % len(refunds)]
            try:
                if approve:
                    refund_approve(refund_id=refund.id, approver=decider)
                else:
                    refund_reject(refund_id=refund.id, rejecter=decider)
            except LipwaError:
                pass

    @rule(pick=st.integers(min_value=0, max_value=20), result=st.sampled_from(RESULTS), manual=st.booleans())
    def gateway_or_operator(self, pick, result, manual):
        refunds = self._refunds()
        if refunds:
            refund = refunds[pick % len(refunds)]
            try:
                if manual:
                    refund_record_manual(refund_id=refund.id, operator="user:ops", evidence={"reference": "X"})
                else:
                    refund_apply_result(refund_id=refund.id, result=result)
            except LipwaError:
                pass

    @rule()
    def toggle_policy(self):
        self.merchant.refund_approval_thresholds = {} if self.merchant.refund_approval_thresholds else {"KES": 1000}
        self.merchant.save()

    @invariant()
    def never_more_than_captured(self):
        if not hasattr(self, "payment"):
            return
        refunds = self._refunds()
        active = sum(r.amount_minor for r in refunds if r.status in ("requires_approval", "pending", "processing",
                                                                     "succeeded"))
        succeeded = sum(r.amount_minor for r in refunds if r.status == "succeeded")
        assert active <= AMOUNT
        assert PaymentIntent.objects.get(id=self.payment.id).amount_refunded_minor == succeeded <= AMOUNT

    def teardown(self):
        assert ledger_verify() == []


@pytest.mark.django_db
def test_refund_state_machine(merchant):
    unreachable_mpesa_account(merchant)
    RefundMachine.merchant = merchant
    run_state_machine_as_test(RefundMachine, settings=settings(
        max_examples=40, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))


@pytest.mark.django_db(transaction=True)
def test_many_threads_refunding_one_payment(merchant):
    """On PostgreSQL the payment row lock serialises them; on SQLite the IMMEDIATE transactions do."""
    unreachable_mpesa_account(merchant)
    payment = succeeded_payment(merchant, amount_minor=AMOUNT)
    outcomes = _race(lambda i: refund_create(merchant=merchant, mode="test", payment_id=payment.id, amount=3000,
                                             requested_by=f"api_key:{i}"), list(range(10)))
    created = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, LipwaError)]
    assert len(created) == 3 and len(refused) == 7, outcomes
    assert all(getattr(o, "code", "") == "amount_exceeds_refundable" for o in refused)
    assert ledger_verify() == []
