"""Gateway statements reconciled against that gateway's payments: references lipwa gave the gateway, fees,
and settlements matched many-to-one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lipwa.common import clock
from lipwa.reconciliation.models import Discrepancy, Match, SettlementItem
from lipwa.reconciliation.presenters import statement_to_dict
from lipwa.reconciliation.services import statement_import, statement_reconcile

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def load(merchant, fmt: str, name: str):
    return statement_import(merchant=merchant, mode="test", format=fmt, filename=name,
                            data=(FIXTURES / name).read_bytes())


def test_paystack_transactions_then_their_settlement(merchant, gateway_payment):
    clock.freeze(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    card = gateway_payment("paystack", amount=2_500_000, currency="NGN", phone="+2348031234567", fee=47_500,
                           gateway_reference="lipwa-att-01JD2KC0A1B2C3D4E5F6G7H8J9")
    transfer = gateway_payment("paystack", amount=12_000_000, currency="NGN", phone="+2348031234567", fee=150_000,
                               gateway_reference="lipwa-att-01JD2KE2C3D4E5F6G7H8J9K0M1")
    transactions = load(merchant, "paystack_csv", "statement__paystack_transactions.csv")
    assert statement_reconcile(statement=transactions) == {"matched": 2, "confirmed": 0, "settled": 0}
    assert {m.payment_id: m.rule for m in Match.objects.all()} == {card.id: "reference", transfer.id: "reference"}
    [fee] = Discrepancy.objects.filter(kind="fee_difference")
    assert (fee.payment_id, fee.details["line_fee"], fee.details["payment_fee"]) == (transfer.id, 190_000, 150_000)
    # The reversed row's payment is unknown to lipwa.
    assert Discrepancy.objects.filter(kind="missing_in_lipwa").count() == 1

    # The settlement is the two payments' nets as lipwa knows them: 2,452,500 + 11,850,000.
    clock.freeze(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    data = (FIXTURES / "statement__paystack_settlements.csv").read_bytes().replace(
        b'"145,000.00","2,375.00","142,625.00"', b'"145,000.00","1,975.00","143,025.00"')
    settlements = statement_import(merchant=merchant, mode="test", format="paystack_csv", filename="s.csv",
                                   data=data)
    assert statement_reconcile(statement=settlements)["settled"] == 1
    items = SettlementItem.objects.order_by("payment__succeeded_at", "id")
    assert [(i.payment_id, i.net_minor) for i in items] == [(card.id, 2_452_500), (transfer.id, 11_850_000)]
    body = statement_to_dict(settlements)
    assert body["settlements"] == [{"line": 2, "amount": 14_302_500, "payments": [card.id, transfer.id]}]
    assert not Discrepancy.objects.filter(statement=settlements).exists()
    statement_reconcile(statement=settlements)
    assert SettlementItem.objects.count() == 2


def test_a_settlement_nothing_adds_up_to_is_a_discrepancy(merchant, gateway_payment):
    clock.freeze(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    gateway_payment("paystack", amount=2_500_000, currency="NGN", phone="+2348031234567", fee=47_500)
    clock.freeze(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    statement = load(merchant, "paystack_csv", "statement__paystack_settlements.csv")
    statement_reconcile(statement=statement)
    [found] = Discrepancy.objects.all()
    assert (found.kind, found.line.reference, found.details["amount"]) == ("settlement_unmatched", "8819034",
                                                                           14_262_500)


@pytest.mark.parametrize(("fmt", "name", "connector", "currency", "phone", "reference", "amount"), [
    ("airtel_csv", "statement__airtel_merchant.csv", "airtel", "UGX", "+256752123456",
     {"gateway_reference": "4b0c1e0a9d6f4c3a8e2b7d5f1a3c9e70"}, 35_000),
    ("paynow_csv", "statement__paynow_usd.csv", "paynow", "USD", "+263771234567",
     {"receipt": "17,403,881"}, 15_000),
    ("mtn_momo_csv", "statement__mtn_momo_ug.csv", "mtn_momo", "UGX", "+256772123456",
     {"receipt": "7634219051"}, 50_000),
])
def test_each_gateway_statement_matches_its_payments(merchant, gateway_payment, fmt, name, connector, currency,
                                                     phone, reference, amount):
    clock.freeze(datetime(2026, 11, 2, 7, 0, tzinfo=UTC))
    payment = gateway_payment(connector, amount=amount, currency=currency, phone=phone, **reference)
    statement = load(merchant, fmt, name)
    assert statement.source == connector
    statement_reconcile(statement=statement)
    match = Match.objects.get()
    assert (match.payment_id, match.rule, match.confidence_percent) == (payment.id, "reference", 100)
    again = load(merchant, fmt, name)
    assert again.lines_new == 0
