"""A settlement the reconciliation matches posts its ledger transfer in the same transaction as its items:
the gateway's clearing account ends at zero for the settled payments, once, however often it runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common import clock
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.models import Transfer
from lipwa.ledger.selectors import ledger_verify
from lipwa.merchants.services import merchant_create
from lipwa.reconciliation.models import Discrepancy, SettlementItem
from lipwa.reconciliation.services import settlement_transfer_key, statement_import, statement_reconcile

from .settlement_factories import gateway_account, ledger_account, paystack_settlements, succeeded_payment

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def settle(merchant, *rows, filename: str = "settlements.csv"):
    statement = statement_import(merchant=merchant, mode="test", format="paystack_csv", filename=filename,
                                 data=paystack_settlements(*rows))
    return statement, statement_reconcile(statement=statement)


def test_a_settlement_posts_net_and_kept_fees_per_clearing_account(merchant):
    clock.freeze(T0)
    first, second = gateway_account(merchant, "paystack"), gateway_account(merchant, "paystack")
    card = succeeded_payment(merchant, first, amount=2_500_000, fee=47_500, currency="NGN")
    transfer = succeeded_payment(merchant, first, amount=12_000_000, fee=190_000, currency="NGN")
    other = succeeded_payment(merchant, second, amount=700_000, fee=10_500, currency="NGN")
    clock.freeze(T0 + timedelta(days=1))
    statement, outcome = settle(merchant, ("8819034", "2026-11-03", 15_200_000, 248_000))
    assert outcome["settled"] == 1
    assert set(SettlementItem.objects.values_list("payment_id", flat=True)) == {card.id, transfer.id, other.id}
    line = SettlementItem.objects.first().line
    key = settlement_transfer_key(line)
    posted = {t.id: (t.debit_account.kind, t.credit_account.kind, t.amount_minor)
              for t in Transfer.objects.filter(code=TransferCode.SETTLEMENT)}
    assert posted == {
        f"{key}:{first.id}:net": ("settlement", "gateway_clearing", 14_262_500),
        f"{key}:{first.id}:fee": ("fees", "gateway_clearing", 237_500),
        f"{key}:{second.id}:net": ("settlement", "gateway_clearing", 689_500),
        f"{key}:{second.id}:fee": ("fees", "gateway_clearing", 10_500)}
    for account in (first, second):
        clearing = ledger_account(merchant, AccountKind.GATEWAY_CLEARING, account.id)
        assert clearing.debits_posted == clearing.credits_posted
    assert ledger_account(merchant, AccountKind.SETTLEMENT).debits_posted == 14_952_000
    assert ledger_verify() == []
    count = Transfer.objects.count()
    statement_reconcile(statement=statement)
    assert Transfer.objects.count() == count and SettlementItem.objects.count() == 3


def test_a_settlement_the_ledger_refuses_settles_nothing_and_is_flagged(merchant, monkeypatch):
    from lipwa.ledger.postings import SettledPayment
    from lipwa.reconciliation import selectors

    clock.freeze(T0)
    account = gateway_account(merchant, "paystack")
    payment = succeeded_payment(merchant, account, amount=2_500_000, fee=47_500, currency="NGN")
    # A payment whose record disagrees with its own currency: the ledger must refuse to mix it in.
    monkeypatch.setattr(selectors, "settled_payments", lambda payment_ids: [
        SettledPayment(payment.id, account.id, "GHS", payment.amount_minor, payment.fee_minor)])
    clock.freeze(T0 + timedelta(days=1))
    _, outcome = settle(merchant, ("8819034", "2026-11-03", 2_500_000, 47_500))
    assert outcome["settled"] == 0
    assert not SettlementItem.objects.exists()
    assert not Transfer.objects.filter(code=TransferCode.SETTLEMENT).exists()
    [flagged] = Discrepancy.objects.all()
    assert flagged.kind == "settlement_unmatched" and "settlement_currency_mixed" in flagged.details["reason"]
    assert ledger_verify() == []


payment_specs = st.lists(st.tuples(st.integers(0, 2), st.integers(100, 10**8), st.integers(0, 10**5)),
                         min_size=1, max_size=6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=payment_specs)
def test_any_settled_payments_leave_clearing_at_zero_and_rerunning_posts_nothing(db, specs):
    """For any succeeded payments with fees, over up to three connector accounts, settled by one settlement
    line: the ledger verifies, every clearing account involved ends at zero, the settlement account holds the
    nets, fees hold nothing, and reconciling again posts nothing."""
    clock.freeze(T0)
    merchant = merchant_create(name="Settlement property")  # a fresh merchant per example
    accounts = [gateway_account(merchant, "paystack") for _ in range(1 + max(index for index, _, _ in specs))]
    payments = []
    for index, (account_index, amount, fee) in enumerate(specs):
        clock.freeze(T0 + timedelta(minutes=index))
        payments.append(succeeded_payment(merchant, accounts[account_index], amount=amount, fee=min(fee, amount - 1),
                                          currency="NGN"))
    gross, fees = sum(p.amount_minor for p in payments), sum(p.fee_minor for p in payments)
    clock.freeze(T0 + timedelta(days=1))
    statement, outcome = settle(merchant, ("8819034", "2026-11-03", gross, fees))
    assert outcome["settled"] == 1
    assert SettlementItem.objects.filter(payment__merchant=merchant).count() == len(payments)
    for account in accounts:
        clearing = ledger_account(merchant, AccountKind.GATEWAY_CLEARING, account.id)
        assert clearing is None or clearing.debits_posted == clearing.credits_posted
    assert ledger_account(merchant, AccountKind.SETTLEMENT).debits_posted == gross - fees
    assert ledger_account(merchant, AccountKind.FEES) is None or (
        ledger_account(merchant, AccountKind.FEES).balance_minor == 0)
    assert ledger_verify() == []
    count = Transfer.objects.count()
    statement_reconcile(statement=statement)
    assert Transfer.objects.count() == count
    clock.reset()


def test_payments_settled_meanwhile_are_never_settled_twice(merchant, monkeypatch):
    """A reconciliation that read the unsettled payments before another one settled some of them: under the
    payment locks it sees they are taken, and looks again without them."""
    from lipwa.reconciliation import selectors

    clock.freeze(T0)
    account = gateway_account(merchant, "paystack")
    earlier = [succeeded_payment(merchant, account, amount=amount, fee=0, currency="NGN") for amount in (4_000, 6_000)]
    clock.freeze(T0 + timedelta(minutes=5))
    latest = succeeded_payment(merchant, account, amount=10_000, fee=0, currency="NGN")
    clock.freeze(T0 + timedelta(days=1))
    settle(merchant, ("8819030", "2026-11-03", 10_000, 0), filename="first.csv")
    assert list(SettlementItem.objects.values_list("payment_id", flat=True)) == [latest.id]  # the latest run
    # The second reconciliation still believes the latest payment is unsettled.
    fresh = selectors.settlement_payment_views
    monkeypatch.setattr(selectors, "settlement_payment_views", lambda **kwargs: fresh(**kwargs) + [
        selectors._payment_view(latest)])
    _, outcome = settle(merchant, ("8819031", "2026-11-03", 10_000, 0), filename="second.csv")
    assert outcome["settled"] == 1
    second = SettlementItem.objects.exclude(payment=latest)
    assert {item.payment_id for item in second} == {p.id for p in earlier}
    assert len({item.line_id for item in second}) == 1
    assert Transfer.objects.filter(code=TransferCode.SETTLEMENT).count() == 2  # one net transfer per settlement
    assert ledger_verify() == []
