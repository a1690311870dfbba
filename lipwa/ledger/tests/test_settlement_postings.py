"""A gateway's settlement: the clearing account gives up what it held for the settled payments (net to the
settlement account, the kept fee against fees), once, balanced, one pair of transfers per clearing account."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common.ids import new_id
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.models import LedgerAccount, Transfer
from lipwa.ledger.postings import SettledPayment, charge_captured, settlement_paid_out
from lipwa.ledger.selectors import ledger_verify
from lipwa.ledger.services import LedgerError

pytestmark = pytest.mark.django_db


def charged(merchant_id: str, connector_account_id: str, amount: int, fee: int, currency: str = "NGN"
            ) -> SettledPayment:
    """A succeeded payment as the core posts it (CHARGE and FEE), described for a settlement."""
    payment_id, attempt_id = new_id("pay"), new_id("att")
    charge_captured(merchant_id=merchant_id, mode="test", currency=currency, connector_account_id=connector_account_id,
                    payment_id=payment_id, attempt_id=attempt_id, amount_minor=amount, fee_minor=fee)
    return SettledPayment(payment_id=payment_id, connector_account_id=connector_account_id, currency=currency,
                          amount_minor=amount, fee_minor=fee)


def account(merchant_id: str, kind: AccountKind, reference: str = "", currency: str = "NGN") -> LedgerAccount:
    return LedgerAccount.objects.get(merchant_id=merchant_id, mode="test", currency=currency, kind=kind,
                                     reference=reference)


def test_one_pair_of_transfers_per_clearing_account_and_clearing_ends_at_zero(merchant):
    payments = [charged(merchant.id, "ca_a", 2_500_000, 47_500), charged(merchant.id, "ca_a", 12_000_000, 190_000),
                charged(merchant.id, "ca_b", 700_000, 0)]
    transfers = settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN",
                                    settlement_id="settlement:1", payments=payments)
    assert sorted((t.id, t.amount_minor, t.code) for t in transfers) == [
        ("settlement:1:ca_a:fee", 237_500, TransferCode.SETTLEMENT),
        ("settlement:1:ca_a:net", 14_262_500, TransferCode.SETTLEMENT),
        ("settlement:1:ca_b:net", 700_000, TransferCode.SETTLEMENT)]  # no fee kept: no fee transfer
    for reference in ("ca_a", "ca_b"):
        clearing = account(merchant.id, AccountKind.GATEWAY_CLEARING, reference)
        assert clearing.debits_posted == clearing.credits_posted  # gross − net − fee = 0
    assert account(merchant.id, AccountKind.SETTLEMENT).debits_posted == 14_962_500
    assert account(merchant.id, AccountKind.FEES).balance_minor == 0  # the gateway kept what FEE set aside
    # The merchant's money did not change, it moved from the gateway to the bank.
    assert account(merchant.id, AccountKind.MERCHANT_AVAILABLE).balance_minor == 14_962_500
    assert ledger_verify() == []


def test_posting_the_same_settlement_again_posts_nothing(merchant):
    payments = [charged(merchant.id, "ca_a", 10_000, 150)]
    first = settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id="s:9",
                                payments=payments)
    count = Transfer.objects.count()
    again = settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id="s:9",
                                payments=payments)
    assert [t.id for t in again] == [t.id for t in first] and Transfer.objects.count() == count
    # The same id for other figures is refused, not silently a second posting.
    with pytest.raises(LedgerError) as refused:
        settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id="s:9",
                            payments=[charged(merchant.id, "ca_a", 20_000, 150)])
    assert refused.value.code == "transfer_id_reused"
    assert ledger_verify() == []


@pytest.mark.parametrize(("payments", "code"), [
    ([], "settlement_empty"),
    ([SettledPayment("pay_1", "ca_a", "NGN", 100, 1), SettledPayment("pay_2", "ca_a", "GHS", 100, 1)],
     "settlement_currency_mixed"),
    ([SettledPayment("pay_1", "ca_a", "NGN", 100, 1), SettledPayment("pay_1", "ca_a", "NGN", 100, 1)],
     "settlement_duplicate"),
    ([SettledPayment("pay_1", "ca_a", "NGN", 100, 101)], "amount_invalid"),
    ([SettledPayment("pay_1", "ca_a", "NGN", 100, -1)], "amount_invalid"),
])
def test_a_settlement_that_cannot_be_is_refused_and_posts_nothing(merchant, payments, code):
    with pytest.raises(LedgerError) as refused:
        settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id="s:1",
                            payments=payments)
    assert refused.value.code == code
    assert not Transfer.objects.exists()


payment_specs = st.lists(st.tuples(st.sampled_from(["ca_a", "ca_b", "ca_c"]), st.integers(1, 10**9),
                                   st.integers(0, 10**4)), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=payment_specs)
def test_any_settlement_leaves_clearing_at_zero_and_posts_once(merchant, specs):
    run = new_id("run")  # fresh clearing accounts per example: the examples share one database
    payments = [charged(merchant.id, f"{run}_{ca}", amount, min(fee, amount)) for ca, amount, fee in specs]
    settlement = LedgerAccount.objects.filter(merchant=merchant, kind=AccountKind.SETTLEMENT).first()
    before = settlement.debits_posted if settlement else 0
    settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id=f"{run}:s",
                        payments=payments)
    count = Transfer.objects.count()
    settlement_paid_out(merchant_id=merchant.id, mode="test", currency="NGN", settlement_id=f"{run}:s",
                        payments=list(reversed(payments)))
    assert Transfer.objects.count() == count
    for ca in {f"{run}_{ca}" for ca, _, _ in specs}:
        clearing = account(merchant.id, AccountKind.GATEWAY_CLEARING, ca)
        assert clearing.debits_posted == clearing.credits_posted
    net = sum(p.amount_minor - p.fee_minor for p in payments)
    assert account(merchant.id, AccountKind.SETTLEMENT).debits_posted - before == net
    assert account(merchant.id, AccountKind.FEES).balance_minor == 0
    assert ledger_verify() == []
