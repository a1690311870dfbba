"""Random interleavings of gateway answers, duplicates, expiry and cancel never break the lifecycle rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from lipwa.common import clock
from lipwa.common.errors import Conflict
from lipwa.common.money import Money
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.payments.models import PaymentEvent, PaymentIntent
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.services import payment_cancel, payment_expire
from lipwa.payments.states import PAYMENT_FINAL

from .factories import payment_with_attempt, unreachable_mpesa_account

RESULTS = [
    ChargeResult(ResultStatus.PROCESSING, gateway_reference="ws_CO_1"),
    ChargeResult(ResultStatus.UNKNOWN),
    ChargeResult(ResultStatus.REQUIRES_ACTION, gateway_reference="ws_CO_1", next_action={"type": "display"}),
    ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_1", receipt_number="NLJ7RT61SV",
                 amount=Money(10000, "KES")),
    ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_1"),
    ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_1", amount=Money(9900, "KES")),
    ChargeResult(ResultStatus.FAILED, gateway_reference="ws_CO_1", failure_code=FailureCode.INSUFFICIENT_FUNDS),
    ChargeResult(ResultStatus.CANCELLED, gateway_reference="ws_CO_1"),
    ChargeResult(ResultStatus.EXPIRED, gateway_reference="ws_CO_1"),
]


class PaymentLifecycle(RuleBasedStateMachine):
    merchant = None

    @initialize()
    def create(self):
        self.payment, self.attempt = payment_with_attempt(self.merchant)
        self.final_status = None
        self.history: list[ChargeResult] = []

    @rule(result=st.sampled_from(RESULTS), source=st.sampled_from(["initiate", "sync", "callback"]))
    def gateway_answers(self, result, source):
        if result.gateway_reference:  # one reference per payment, as a gateway would issue
            result = dataclasses.replace(result, gateway_reference=f"ws_CO_{self.payment.id}")
        attempt_apply_result(attempt_id=self.attempt.id, result=result, source=source)
        self.history.append(result)

    @rule()
    def duplicate_of_last_answer(self):
        if self.history:
            attempt_apply_result(attempt_id=self.attempt.id, result=self.history[-1], source="callback")

    @rule()
    def time_passes_and_expiry_runs(self):
        clock.advance(901)
        payment_expire(payment_id=self.payment.id)

    @rule()
    def merchant_cancels(self):
        try:
            payment_cancel(merchant=self.merchant, mode="test", payment_id=self.payment.id)
        except Conflict:
            pass

    @invariant()
    def final_states_never_change(self):
        if not hasattr(self, "payment"):
            return
        status = PaymentIntent.objects.get(id=self.payment.id).status
        if self.final_status is not None:
            assert status == self.final_status, f"final {self.final_status} became {status}"
        elif status in PAYMENT_FINAL:
            self.final_status = status

    @invariant()
    def never_both_succeeded_and_failed(self):
        if not hasattr(self, "payment"):
            return
        types = list(PaymentEvent.objects.filter(payment_id=self.payment.id).values_list("type", flat=True))
        final_events = [t for t in types if t in ("payment.succeeded", "payment.failed", "payment.cancelled",
                                                  "payment.expired")]
        assert len(final_events) <= 1, types

    @invariant()
    def fields_agree_with_status(self):
        if not hasattr(self, "payment"):
            return
        payment = PaymentIntent.objects.get(id=self.payment.id)
        assert (payment.succeeded_at is not None) == (payment.status == "succeeded")
        assert bool(payment.failure_code) == (payment.status == "failed")


@pytest.mark.django_db
def test_payment_lifecycle_state_machine(merchant):
    unreachable_mpesa_account(merchant)
    PaymentLifecycle.merchant = merchant
    run_state_machine_as_test(PaymentLifecycle, settings=settings(
        max_examples=60, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
