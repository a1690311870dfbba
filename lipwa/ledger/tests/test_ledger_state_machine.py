"""Random transfers, holds, posts, voids and expiries never unbalance the ledger or break a floor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from lipwa.common import clock
from lipwa.common.ids import new_id
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.models import LedgerAccount, Transfer
from lipwa.ledger.selectors import ledger_verify
from lipwa.ledger.services import (
    LedgerError,
    account_ensure,
    pending_transfers_expire_due,
    transfer_create,
    transfer_resolve_pending,
)

KINDS = [AccountKind.GATEWAY_CLEARING, AccountKind.MERCHANT_AVAILABLE, AccountKind.FEES,
         AccountKind.REFUNDS_PAYABLE, AccountKind.CASH_IN_TRANSIT, AccountKind.CORRECTIONS]


class LedgerMachine(RuleBasedStateMachine):
    merchant = None
    holds = Bundle("holds")

    def __init__(self):
        super().__init__()
        self.run = new_id("run")  # a fresh set of accounts per example
        self.accounts = {(kind, currency): account_ensure(merchant=self.merchant, mode="test", currency=currency,
                                                          kind=kind, reference=self.run)
                         for kind in KINDS for currency in ("KES", "UGX")}

    def _ids(self):
        return [a.id for a in self.accounts.values()]

    @rule(debit=st.sampled_from(KINDS), credit=st.sampled_from(KINDS), currency=st.sampled_from(["KES", "UGX"]),
          amount=st.integers(min_value=1, max_value=10**6))
    def transfer(self, debit, credit, currency, amount):
        try:
            transfer_create(transfer_id=new_id("t"), debit=self.accounts[(debit, currency)],
                            credit=self.accounts[(credit, currency)], amount_minor=amount,
                            code=TransferCode.CORRECTION)
        except LedgerError:
            pass  # refused (overdraft, same account): nothing may have changed, checked by the invariants

    @rule(target=holds, debit=st.sampled_from(KINDS), credit=st.sampled_from(KINDS),
          amount=st.integers(min_value=1, max_value=10**6), timeout=st.sampled_from([None, 60, 3600]))
    def hold(self, debit, credit, amount, timeout):
        transfer_id = new_id("h")
        try:
            transfer_create(transfer_id=transfer_id, debit=self.accounts[(debit, "KES")],
                            credit=self.accounts[(credit, "KES")], amount_minor=amount, code=TransferCode.REFUND_HOLD,
                            pending=True, timeout_at=clock.now() + timedelta(seconds=timeout) if timeout else None)
        except LedgerError:
            pass
        return transfer_id

    @rule(hold=holds, post=st.booleans())
    def resolve(self, hold, post):
        try:
            transfer_resolve_pending(transfer_id=new_id("r"), pending_id=hold, post=post)
        except LedgerError:
            pass  # unknown, refused or already resolved

    @rule(seconds=st.sampled_from([30, 61, 3601]))
    def time_passes(self, seconds):
        clock.advance(seconds)
        pending_transfers_expire_due()

    @invariant()
    def balanced_and_above_floors(self):
        accounts = LedgerAccount.objects.filter(id__in=self._ids())
        for currency in ("KES", "UGX"):
            mine = [a for a in accounts if a.currency == currency]
            assert sum(a.debits_posted - a.credits_posted for a in mine) == 0
            assert sum(a.debits_pending - a.credits_pending for a in mine) == 0
        for account in accounts:
            if account.flag == "debits_must_not_exceed_credits":
                assert account.debits_posted + account.debits_pending <= account.credits_posted
            if account.flag == "credits_must_not_exceed_debits":
                assert account.credits_posted + account.credits_pending <= account.debits_posted

    @invariant()
    def every_hold_resolved_at_most_once(self):
        resolutions = (Transfer.objects.filter(pending__isnull=False, debit_account_id__in=self._ids())
                       .values("pending_id").annotate(n=Count("id")))
        assert all(row["n"] == 1 for row in resolutions)

    def teardown(self):
        assert ledger_verify() == []


@pytest.mark.django_db
def test_ledger_state_machine(merchant):
    LedgerMachine.merchant = merchant
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
