"""statement_import (all or nothing, never twice) and statement_reconcile against real payments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest
from lipwa.reconciliation.models import Discrepancy, Match, Statement, StatementLine
from lipwa.reconciliation.services import statement_import, statement_reconcile

from .conftest import equity_csv

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def load(merchant, fmt, name, **kwargs):
    return statement_import(merchant=merchant, mode="test", format=fmt, filename=name,
                            data=(FIXTURES / name).read_bytes(), **kwargs)


def today() -> str:
    return clock.now().strftime("%d/%m/%Y")


def test_reimporting_the_same_file_adds_nothing(merchant):
    first = load(merchant, "mpesa_csv", "statement__mpesa_paybill.csv")
    second = load(merchant, "mpesa_csv", "statement__mpesa_paybill.csv")
    assert (first.lines_in_file, first.lines_new, first.lines_known) == (4, 4, 0)
    assert (second.lines_in_file, second.lines_new, second.lines_known) == (4, 0, 4)
    assert first.file_sha256 == second.file_sha256 and StatementLine.objects.count() == 4
    assert first.period_start == datetime(2026, 11, 1, 6, 15, 2, tzinfo=UTC)


def test_overlapping_statements_of_one_account_in_two_formats(merchant):
    mt940 = load(merchant, "mt940", "statement__mt940.sta")
    camt = load(merchant, "camt053", "statement__camt053.xml")
    assert mt940.source == camt.source == "account:0170299001234"
    assert (mt940.lines_new, camt.lines_new, camt.lines_known) == (3, 0, 2)


def test_a_bad_line_imports_nothing(merchant):
    data = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes().replace(b'"11,135.00"', b'"11;135.00"')
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="nov.csv", data=data)
    assert caught.value.param == "file" and caught.value.code == "statement_invalid"
    assert "nov.csv: line 10, column 8 (Balance)" in caught.value.message
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


@pytest.mark.parametrize(("kwargs", "param", "code"), [
    ({"format": "ofx"}, "format", "format_unknown"),
    ({"format": "mpesa_csv", "preset": "equity_ke"}, "preset", "preset_unknown"),
    ({"format": "bank_csv", "preset": "nope", "currency": "KES"}, "preset", "preset_unknown"),
    ({"format": "mpesa_csv", "currency": "KSH"}, "currency", "currency_not_supported"),
    ({"format": "bank_csv", "currency": "KES"}, "preset", "preset_required"),
    ({"format": "bank_csv", "preset": "equity_ke", "currency": "KES"}, "file", "statement_invalid"),
    ({"format": "camt053", "currency": "UGX"}, "file", "statement_invalid"),
])
def test_bad_requests_change_nothing(merchant, kwargs, param, code):
    name = "statement__camt053.xml" if kwargs["format"] == "camt053" else "statement__mpesa_paybill.csv"
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", filename=name, data=(FIXTURES / name).read_bytes(),
                         **kwargs)
    assert (caught.value.param, caught.value.code) == (param, code)
    assert not Statement.objects.exists()


def test_reconcile_confirms_a_bank_transfer_and_opens_discrepancies(merchant, bank_transfer):
    payment = bank_transfer(2_500_000)
    data = equity_csv((today(), f"TRF FROM JOHN {payment.gateway_reference.lower()}", "FT1", "25,000.00"),
                      (today(), "CASH DEPOSIT BRANCH 12", "FT2", "3,000.00"))
    statement = statement_import(merchant=merchant, mode="test", format="bank_csv", preset="equity_ke",
                                 currency="KES", filename="eq.csv", data=data)
    assert statement_reconcile(statement=statement) == {"matched": 1, "confirmed": 1, "settled": 0}
    payment.refresh_from_db()
    assert (payment.status, payment.receipt_number) == ("succeeded", "FT1")
    match = Match.objects.get()
    assert (match.payment_id, match.rule, match.confidence_percent, match.line.line_number) == (
        payment.id, "bank_transfer_reference", 95, 2)
    [missing] = Discrepancy.objects.all()
    assert (missing.kind, missing.status, missing.line.reference, missing.payment_id) == (
        "missing_in_lipwa", "open", "FT2", None)
    # Running it again changes nothing.
    statement_reconcile(statement=statement)
    assert Match.objects.count() == 1 and Discrepancy.objects.count() == 1


def test_a_wrong_amount_is_matched_but_not_confirmed(merchant, bank_transfer):
    payment = bank_transfer(500_000)
    data = equity_csv((today(), f"PAYMENT {payment.gateway_reference}", "FT9", "4,000.00"))
    statement = statement_import(merchant=merchant, mode="test", format="bank_csv", preset="equity_ke",
                                 currency="KES", filename="eq.csv", data=data)
    assert statement_reconcile(statement=statement) == {"matched": 1, "confirmed": 0, "settled": 0}
    payment.refresh_from_db()
    assert payment.status == "requires_action"
    [mismatch] = Discrepancy.objects.all()
    assert (mismatch.kind, mismatch.payment_id, mismatch.details["line_amount"]) == (
        "amount_mismatch", payment.id, 400_000)


def test_a_second_transfer_quoting_the_same_reference_is_a_duplicate(merchant, bank_transfer):
    payment = bank_transfer(100_000)
    for reference in ("FT1", "FT2"):
        data = equity_csv((today(), f"TRF {payment.gateway_reference}", reference, "1,000.00"))
        statement = statement_import(merchant=merchant, mode="test", format="bank_csv", preset="equity_ke",
                                     currency="KES", filename=f"{reference}.csv", data=data)
        statement_reconcile(statement=statement)
    [duplicate] = Discrepancy.objects.all()
    assert (duplicate.kind, duplicate.payment_id, duplicate.line.reference) == ("duplicate", payment.id, "FT2")


def test_mpesa_statement_against_mpesa_payments(merchant):
    from lipwa.payments.tests.factories import succeeded_payment, unreachable_mpesa_account

    clock.freeze(datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    unreachable_mpesa_account(merchant)
    in_statement = succeeded_payment(merchant, amount_minor=150_000)
    absent = succeeded_payment(merchant, amount_minor=70_000)
    type(absent).objects.filter(id=absent.id).update(receipt_number="SKZ9")
    in_statement.__class__.objects.filter(id=in_statement.id).update(receipt_number="SKB1A2B3C4")
    header = ("Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Other Party Info\n")
    data = (header + "SKA0,01-11-2026 08:00:00,Pay Bill,Completed,10.00,,254700000001 - X\n"
            "SKB1A2B3C4,01-11-2026 09:15:02,Pay Bill,Completed,\"1,500.00\",,2547****678 - JANE\n"
            "SKB1A2B3C4,01-11-2026 09:15:02,Pay Bill Charge,Completed,,-15.00,\n").encode()
    statement = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="m.csv", data=data)
    assert statement_reconcile(statement=statement) == {"matched": 1, "confirmed": 0, "settled": 0}
    assert Match.objects.get().payment_id == in_statement.id
    kinds = sorted((d.kind, d.payment_id or d.line.reference) for d in Discrepancy.objects.all())
    assert kinds == [("missing_in_lipwa", "SKA0"), ("missing_in_statement", absent.id)]


def test_window_minutes_is_checked(merchant):
    statement = load(merchant, "mpesa_csv", "statement__mpesa_paybill.csv")
    with pytest.raises(InvalidRequest):
        statement_reconcile(statement=statement, window_minutes=-1)
