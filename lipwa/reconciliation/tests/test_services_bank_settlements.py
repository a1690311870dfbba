"""A gateway's settlement on the merchant's bank statement: linked to the gateway's own settlement line when
it was imported, else matched to the gateway's payments; the ledger transfer is posted once, by whichever
statement arrives first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lipwa.common import clock
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.models import Transfer
from lipwa.ledger.selectors import ledger_verify
from lipwa.reconciliation.models import Discrepancy, SettlementItem, SettlementLink
from lipwa.reconciliation.presenters import statement_to_dict
from lipwa.reconciliation.report import report_build
from lipwa.reconciliation.services import statement_import, statement_reconcile

from .settlement_factories import gateway_account, ledger_account, paystack_settlements, succeeded_payment

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SETTLEMENT_8819034 = ("8819034", "2026-11-03", 14_500_000, 237_500)  # nets 2,452,500 + 11,810,000


def nigerian_bank_statement(merchant):
    return statement_import(merchant=merchant, mode="test", format="mt940", filename="gtbank.sta",
                            data=(FIXTURES / "statement__mt940_paystack_settlement.sta").read_bytes())


def paystack_export(merchant, *rows):
    return statement_import(merchant=merchant, mode="test", format="paystack_csv", filename="settlements.csv",
                            data=paystack_settlements(*rows))


@pytest.fixture
def paystack_paid(merchant):
    """Two Paystack payments on 2 November whose nets add up to the fixture's settlement 8819034."""
    clock.freeze(T0)
    account = gateway_account(merchant, "paystack")
    payments = [succeeded_payment(merchant, account, amount=2_500_000, fee=47_500, currency="NGN"),
                succeeded_payment(merchant, account, amount=12_000_000, fee=190_000, currency="NGN")]
    clock.freeze(T0 + timedelta(days=2))
    return account, payments


def settlement_transfers() -> list[str]:
    return sorted(Transfer.objects.filter(code=TransferCode.SETTLEMENT).values_list("id", flat=True))


def assert_settled_once(merchant, account, payments):
    assert set(SettlementItem.objects.values_list("payment_id", flat=True)) == {p.id for p in payments}
    assert len(settlement_transfers()) == 2  # the net and the kept fees, once
    clearing = ledger_account(merchant, AccountKind.GATEWAY_CLEARING, account.id)
    assert clearing.debits_posted == clearing.credits_posted
    assert ledger_account(merchant, AccountKind.SETTLEMENT).debits_posted == 14_262_500
    assert ledger_verify() == []


def test_bank_credit_first_settles_the_payments_then_the_export_links_to_it(merchant, paystack_paid):
    account, payments = paystack_paid
    bank = nigerian_bank_statement(merchant)
    assert statement_reconcile(statement=bank)["settled"] == 1
    settled_line = SettlementItem.objects.first().line
    assert (settled_line.statement_id, settled_line.reference) == (bank.id, "NIP261103004217")
    assert_settled_once(merchant, account, payments)
    # The customer's transfer is still money nobody expected; the Paystack payout is not.
    [unexpected] = Discrepancy.objects.filter(status="open")
    assert (unexpected.kind, unexpected.line.reference) == ("missing_in_lipwa", "NIP261103004388")

    export = paystack_export(merchant, SETTLEMENT_8819034)
    posted = settlement_transfers()
    assert statement_reconcile(statement=export)["settled"] == 1
    link = SettlementLink.objects.get()
    assert (link.bank_line_id, link.gateway_line.reference, link.rule, link.confidence_percent) == (
        settled_line.id, "8819034", "settlement_reference", 100)
    assert settlement_transfers() == posted  # the bank credit already posted this payout
    assert not Discrepancy.objects.filter(statement=export).exists()
    assert_settled_once(merchant, account, payments)
    # Both statements show the payout as settled, with its payments.
    for statement, reference in ((bank, "NIP261103004217"), (export, "8819034")):
        [row] = [r for r in report_build(statement).rows if r["reference"] == reference]
        assert (row["outcome"], set(row["payments"].split())) == ("settled", {p.id for p in payments})
    assert statement_to_dict(bank)["settlements"] == [
        {"line": settled_line.line_number, "amount": 14_262_500, "payments": [p.id for p in payments]}]
    statement_reconcile(statement=export)
    statement_reconcile(statement=bank)
    assert settlement_transfers() == posted and SettlementLink.objects.count() == 1


def test_export_first_posts_and_the_bank_credit_then_proves_it_arrived(merchant, paystack_paid):
    account, payments = paystack_paid
    export = paystack_export(merchant, SETTLEMENT_8819034)
    assert statement_reconcile(statement=export)["settled"] == 1
    posted = settlement_transfers()
    assert_settled_once(merchant, account, payments)

    bank = nigerian_bank_statement(merchant)
    assert statement_reconcile(statement=bank)["settled"] == 1
    link = SettlementLink.objects.get()
    assert (link.bank_line.reference, link.gateway_line.reference, link.statement_id) == (
        "NIP261103004217", "8819034", bank.id)
    assert settlement_transfers() == posted
    assert list(Discrepancy.objects.filter(statement=bank).values_list("kind", "line__reference")) == [
        ("missing_in_lipwa", "NIP261103004388")]
    assert_settled_once(merchant, account, payments)


def test_an_unmatched_export_line_and_its_bank_credit_are_one_discrepancy(merchant):
    clock.freeze(T0 + timedelta(days=2))
    gateway_account(merchant, "paystack")
    export = paystack_export(merchant, SETTLEMENT_8819034)
    statement_reconcile(statement=export)
    [unmatched] = Discrepancy.objects.all()
    assert unmatched.kind == "settlement_unmatched"
    statement_reconcile(statement=nigerian_bank_statement(merchant))
    assert SettlementLink.objects.count() == 1
    assert list(Discrepancy.objects.values_list("kind", "line__reference")) == [
        ("settlement_unmatched", "8819034"), ("missing_in_lipwa", "NIP261103004388")]
    assert not Transfer.objects.filter(code=TransferCode.SETTLEMENT).exists()


def kenyan_bank_statement(merchant):
    return statement_import(merchant=merchant, mode="test", format="bank_csv", preset="equity_ke", currency="KES",
                            filename="equity.csv",
                            data=(FIXTURES / "statement__equity_ke_gateway_settlements.csv").read_bytes())


def test_an_mpesa_payout_to_the_bank_settles_the_paybills_payments(merchant):
    clock.freeze(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    account = gateway_account(merchant, "mpesa")
    payments = [succeeded_payment(merchant, account, amount=amount, fee=fee, currency="KES")
                for amount, fee in ((500_000, 5_000), (300_000, 3_000), (197_000, 4_000))]  # nets: 9,850.00
    clock.freeze(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    statement = kenyan_bank_statement(merchant)
    assert statement_reconcile(statement=statement)["settled"] == 1
    assert set(SettlementItem.objects.values_list("payment_id", flat=True)) == {p.id for p in payments}
    clearing = ledger_account(merchant, AccountKind.GATEWAY_CLEARING, account.id, currency="KES")
    assert clearing.debits_posted == clearing.credits_posted
    assert ledger_account(merchant, AccountKind.SETTLEMENT, currency="KES").debits_posted == 985_000
    assert ledger_verify() == []
    # The customer's M-Pesa deposit and the LPW transfer are ordinary credits (no such payments here).
    assert sorted(Discrepancy.objects.values_list("kind", "line__reference")) == [
        ("missing_in_lipwa", "FT26308ABC12"), ("missing_in_lipwa", "FT26308C2B77")]


def test_a_payout_of_a_gateway_the_merchant_does_not_use_is_an_ordinary_credit_until_it_does(merchant):
    clock.freeze(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    statement = kenyan_bank_statement(merchant)
    statement_reconcile(statement=statement)
    assert Discrepancy.objects.filter(kind="missing_in_lipwa", line__reference="FT26308MPS01").exists()

    # Once the merchant's M-Pesa account and its payments are known, reconciling again recognises the payout
    # and closes what the first run opened.
    clock.freeze(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    account = gateway_account(merchant, "mpesa")
    succeeded_payment(merchant, account, amount=990_000, fee=5_000, currency="KES")
    clock.freeze(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    statement_reconcile(statement=statement)
    earlier = Discrepancy.objects.get(line__reference="FT26308MPS01")
    assert (earlier.kind, earlier.status, earlier.resolution) == ("missing_in_lipwa", "resolved", "matched")
    assert SettlementItem.objects.count() == 1


def test_a_recognised_payout_nothing_adds_up_to_is_an_unmatched_settlement(merchant):
    clock.freeze(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    account = gateway_account(merchant, "mpesa")
    succeeded_payment(merchant, account, amount=100_000, fee=1_000, currency="KES")
    clock.freeze(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    statement_reconcile(statement=kenyan_bank_statement(merchant))
    found = Discrepancy.objects.get(line__reference="FT26308MPS01")
    assert (found.kind, found.details["gateway"], found.details["amount"]) == ("settlement_unmatched", "mpesa",
                                                                              985_000)
    assert not Transfer.objects.filter(code=TransferCode.SETTLEMENT).exists()
