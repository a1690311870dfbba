"""Which bank credits are a gateway's settlement (the narrative names the gateway, for mobile money with a
payout word), and which gateway settlement line each one is (amount, currency, date window, reference)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lipwa.reconciliation.matching import (
    RULE_SETTLEMENT_AMOUNT_DATE,
    RULE_SETTLEMENT_REFERENCE,
    LineView,
    SettlementLinkResult,
    match_bank_settlements,
    settlement_provider,
)
from lipwa.reconciliation.parsers import bank_csv, mt940

FIXTURES = Path(__file__).parent / "fixtures"
DAY = datetime(2026, 11, 3, tzinfo=UTC)
EVERY_GATEWAY = {"paystack", "paynow", "mpesa", "mtn_momo", "airtel", "azampay", "feexpay"}


def bank(description: str = "", *, counterparty: str = "", payer_reference: str = "", id_: int = 1,
         amount: int = 14_262_500, currency: str = "NGN", day: datetime = DAY, direction: str = "credit",
         reference: str = "FT26307ABC12") -> LineView:
    return LineView(id=id_, reference=reference, amount_minor=amount, currency=currency, direction=direction,
                    booked_at=day, counterparty=counterparty, payer_reference=payer_reference,
                    description=description, date_only=True)


def gateway(reference: str = "8819034", *, id_: int = 100, amount: int = 14_262_500, currency: str = "NGN",
            day: datetime = DAY) -> LineView:
    return LineView(id=id_, reference=reference, amount_minor=amount, currency=currency, direction="credit",
                    booked_at=day, date_only=True, kind="settlement")


# Narratives as banks print a gateway's payout (MT940 :86:, a bank CSV's narrative, camt.053's debtor name).
@pytest.mark.parametrize(("line", "provider"), [
    (bank("NIP TRANSFER NIP FRM PAYSTACK PAYMENTS LIMITED/SETTLEMENT 8819034"), "paystack"),
    (bank("Settlement 8819034", counterparty="PAYSTACK PAYMENTS LIMITED"), "paystack"),
    (bank("SAFARICOM PLC MPESA SETTLEMENT 4071234", currency="KES"), "mpesa"),
    (bank("M-PESA B2B WITHDRAWAL TO BANK 4071234", currency="KES"), "mpesa"),
    (bank("MTN MOBILE MONEY UGANDA LTD MOMO SETTLEMENT", currency="UGX"), "mtn_momo"),
    (bank("MOMO PAYOUT 20261103 MERCHANT 778899", currency="GHS"), "mtn_momo"),
    (bank("AIRTEL MONEY UGANDA WITHDRAWAL TO BANK", currency="UGX"), "airtel"),
    (bank("WEBDEV PVT LTD PAYNOW SETTLEMENT 17403881", currency="USD"), "paynow"),
    (bank("RTGS PAYNOW ZIMBABWE", currency="USD"), "paynow"),
    (bank("AZAMPAY SETTLEMENT 20261103", currency="TZS"), "azampay"),
    (bank("VIREMENT FEEXPAY SAS", currency="XOF"), "feexpay"),
])
def test_a_gateways_payout_is_recognised(line, provider):
    assert settlement_provider(line, EVERY_GATEWAY) == provider


@pytest.mark.parametrize("line", [
    # A customer paying the merchant's bank account through M-Pesa or MoMo is a payment, not a payout.
    bank("MPESA C2B 254712345678 JOHN KAMAU", currency="KES"),
    bank("MOMO TO BANK FROM 256772123456", currency="UGX"),
    bank("AIRTEL MONEY DEPOSIT 0752123456", currency="UGX"),
    # A transfer quoting lipwa's bank-transfer reference is a customer paying, whatever else it says.
    bank("PAYSTACK SETTLEMENT LPW-7K0Q2M9X"),
    bank("Settlement", counterparty="PAYSTACK PAYMENTS LIMITED", payer_reference="LPW-7K0Q2M9X"),
    # Money out is never a settlement; nor a narrative that names no gateway, or two.
    bank("PAYSTACK SETTLEMENT 8819034", direction="debit"),
    bank("RTGS FROM ACME LOGISTICS INV 2026-118", currency="KES"),
    bank("MTN AIRTEL SETTLEMENT", currency="UGX"),
    # Names inside other words do not count.
    bank("TRF FROM PAYSTACKS CONSULTING SETTLEMENT"),
])
def test_ordinary_credits_are_not_settlements(line):
    assert settlement_provider(line, EVERY_GATEWAY) is None


def test_only_the_merchants_own_gateways_count():
    line = bank("NIP FRM PAYSTACK PAYMENTS LIMITED/SETTLEMENT 8819034")
    assert settlement_provider(line, {"mpesa"}) is None
    assert settlement_provider(line, set()) is None
    # A narrative naming two gateways is decided by which of them the merchant uses.
    assert settlement_provider(bank("MTN AIRTEL SETTLEMENT", currency="UGX"), {"airtel"}) == "airtel"


def test_the_fixture_statements_lines_are_told_apart():
    nigeria = mt940.parse((FIXTURES / "statement__mt940_paystack_settlement.sta").read_bytes())
    kenya = bank_csv.parse((FIXTURES / "statement__equity_ke_gateway_settlements.csv").read_bytes(),
                           currency="KES", preset="equity_ke")

    def recognised(lines):
        return [settlement_provider(LineView(
            id=line.line_number, reference=line.reference, amount_minor=line.amount_minor, currency=line.currency,
            direction=line.direction, booked_at=line.booked_at, counterparty=line.counterparty,
            payer_reference=line.payer_reference, description=line.description, date_only=line.date_only),
            EVERY_GATEWAY) for line in lines]

    assert recognised(nigeria) == ["paystack", None, None]
    assert recognised(kenya) == ["mpesa", None, None, None]


def test_the_quoted_settlement_reference_wins_over_the_nearest_date():
    line = bank("NIP FRM PAYSTACK PAYMENTS LIMITED/SETTLEMENT 8819034", day=DAY + timedelta(days=2))
    nearer = gateway("8819777", id_=101, day=DAY + timedelta(days=2))
    quoted = gateway("8819034", id_=100)
    assert match_bank_settlements([(line, "paystack")], [(nearer, "paystack"), (quoted, "paystack")]) == [
        SettlementLinkResult(1, 100, RULE_SETTLEMENT_REFERENCE, 100)]
    # Without a reference the nearest in date is taken, with less confidence.
    unquoted = bank("NIP FRM PAYSTACK PAYMENTS LIMITED", day=DAY + timedelta(days=2))
    assert match_bank_settlements([(unquoted, "paystack")], [(quoted, "paystack"), (nearer, "paystack")]) == [
        SettlementLinkResult(1, 101, RULE_SETTLEMENT_AMOUNT_DATE, 80)]


def test_a_reference_inside_a_longer_number_is_not_quoted():
    line = bank("PAYSTACK SETTLEMENT 188190345")
    assert match_bank_settlements([(line, "paystack")], [(gateway("8819034"), "paystack")])[0].rule == (
        RULE_SETTLEMENT_AMOUNT_DATE)


@pytest.mark.parametrize(("line", "settlement", "provider"), [
    (bank("PAYSTACK 8819034", amount=14_262_499), gateway(), "paystack"),  # another amount
    (bank("PAYSTACK 8819034", currency="GHS"), gateway(), "paystack"),  # another currency
    (bank("PAYSTACK 8819034"), gateway(), "paynow"),  # another gateway's settlement
    (bank("PAYSTACK 8819034", day=DAY + timedelta(days=7)), gateway(), "paystack"),  # a week later
    (bank("PAYSTACK 8819034", day=DAY - timedelta(days=3)), gateway(), "paystack"),  # before it was paid
])
def test_no_pair_outside_amount_currency_gateway_and_window(line, settlement, provider):
    assert match_bank_settlements([(line, "paystack")], [(settlement, provider)]) == []


def test_each_line_pairs_once():
    lines = [(bank("PAYSTACK", id_=1), "paystack"), (bank("PAYSTACK", id_=2, day=DAY + timedelta(days=1)),
                                                      "paystack")]
    settlements = [(gateway("8819034", id_=100), "paystack"), (gateway("8819035", id_=101, day=DAY + timedelta(days=1)),
                                                               "paystack")]
    pairs = match_bank_settlements(lines, settlements)
    assert sorted((p.bank_line_id, p.gateway_line_id) for p in pairs) == [(1, 100), (2, 101)]
