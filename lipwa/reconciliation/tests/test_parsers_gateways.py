"""The gateway statement exports (MTN MoMo, Airtel Money, Paystack, Paynow) on realistic fixtures, and every
bad input refused with its line and column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lipwa.reconciliation.parsers import PARSERS, StatementParseError

FIXTURES = Path(__file__).parent / "fixtures"
EAT = timezone(timedelta(hours=3))
CAT = timezone(timedelta(hours=2))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def summary(lines):
    return [(x.line_number, x.reference, x.external_reference, x.direction, x.amount_minor, x.fee_minor, x.kind)
            for x in lines]


def refused(fmt: str, data: bytes, **kwargs) -> StatementParseError:
    with pytest.raises(StatementParseError) as caught:
        PARSERS[fmt](data, **kwargs)
    return caught.value


def replace_line(data: bytes, number: int, old: str, new: str) -> bytes:
    lines = data.decode().splitlines(keepends=True)
    assert old in lines[number - 1], (old, lines[number - 1])
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "".join(lines).encode()


# -- MTN MoMo ---------------------------------------------------------------------------------------------------

def test_mtn_fixture():
    lines = PARSERS["mtn_momo_csv"](fixture("statement__mtn_momo_ug.csv"))
    assert summary(lines) == [
        (2, "7634219051", "att_01JD2K8Q3M5V7X9Z1B3D5F7H9K", "credit", 50_000, 0, "entry"),
        (4, "7634220417", "", "credit", 15_500, 0, "entry"),  # a deposit made without a request to pay
        (5, "7634221903", "rfd_01JD2KB7T8P0R2S4U6W8Y0A2C4", "debit", 12_000, 250, "entry")]  # line 3 failed
    first = lines[0]
    assert (first.counterparty, first.currency, first.balance_minor) == ("256772123456", "UGX", 1_250_000)
    assert first.booked_at == datetime(2026, 11, 2, 9, 14, 21, tzinfo=EAT)
    assert lines[2].counterparty == "256772999888"  # money out: the party is the receiver


@pytest.mark.parametrize(("old", "new", "line", "column", "words"), [
    ('"50,000"', '"50,000.5"', 2, "15 (Amount)", "more decimals than UGX"),
    ('"50,000"', "5O000", 2, "15 (Amount)", "not an amount"),
    ("2026-11-02 09:14:21", "02.11.2026 09:14", 2, "3 (Date)", "not a date"),
    ("Successful", "Reversed", 2, "4 (Status)", "unknown status 'Reversed'"),
    (",UGX,0,UGX", ",KES,0,UGX", 2, "16 (Currency)", "not UGX"),
    (",UGX,0,UGX", ",UGX,0,KES", 2, "18 (Fee Currency)", "fee is in 'KES'"),
    ("7634219051,", ",", 2, "1 (Id)", "without a transaction id"),
])
def test_mtn_bad_rows(old, new, line, column, words):
    error = refused("mtn_momo_csv", replace_line(fixture("statement__mtn_momo_ug.csv"), 2, old, new),
                    currency="UGX")
    assert (error.line, error.column) == (line, column) and words in error.message, error


def test_mtn_unknown_column_and_truncated_file():
    data = fixture("statement__mtn_momo_ug.csv")
    error = refused("mtn_momo_csv", data.replace(b"Provider Category", b"Category", 1))
    assert (error.line, error.column) == (1, 6) and "unknown column 'Category'" in error.message
    error = refused("mtn_momo_csv", data[:-40])
    assert error.line == 5 and "truncated" in error.message


# -- Airtel Money -----------------------------------------------------------------------------------------------

def test_airtel_fixture():
    lines = PARSERS["airtel_csv"](fixture("statement__airtel_merchant.csv"))
    assert summary(lines) == [
        (2, "MP261102.0914.A12345", "4b0c1e0a9d6f4c3a8e2b7d5f1a3c9e70", "credit", 35_000, 0, "entry"),
        (4, "MP261102.1345.C24680", "", "credit", 7_500, 0, "entry"),
        (5, "MP261102.1710.D13579", "c3f1a5e7b9d2c4e6a8f0b2d4e6a8c0e1", "debit", 5_000, 100, "entry")]
    assert (lines[0].counterparty, lines[2].counterparty) == ("752123456", "752777666")
    assert lines[0].booked_at == datetime(2026, 11, 2, 6, 14, 21, tzinfo=UTC)


@pytest.mark.parametrize(("old", "new", "column", "words"), [
    (",CR,", ",IN,", "9 (Dr/Cr)", "neither DR nor CR"),
    ('"35,000"', '"-35,000"', "10 (Amount)", "negative"),
    (",Success", ",Done", "15 (Status)", "unknown status"),
    ("02-11-2026 09:14:21", "2026/11/02", "2 (Transaction Date)", "not a date"),
    (",UGX,", ",XYZ,", "12 (Currency)", "unsupported currency"),
])
def test_airtel_bad_rows(old, new, column, words):
    error = refused("airtel_csv", replace_line(fixture("statement__airtel_merchant.csv"), 2, old, new))
    assert (error.line, error.column) == (2, column) and words in error.message, error


# -- Paystack ---------------------------------------------------------------------------------------------------

def test_paystack_transactions_fixture():
    lines = PARSERS["paystack_csv"](fixture("statement__paystack_transactions.csv"))
    assert summary(lines) == [
        (2, "4263017745", "lipwa-att-01JD2KC0A1B2C3D4E5F6G7H8J9", "credit", 2_500_000, 47_500, "entry"),
        (4, "4263022931", "lipwa-att-01JD2KE2C3D4E5F6G7H8J9K0M1", "credit", 12_000_000, 190_000, "entry"),
        (5, "4263030077", "lipwa-att-01JD2KF3D4E5F6G7H8J9K0M1N2", "credit", 350_000, 5_250, "entry")]
    assert lines[0].booked_at == datetime(2026, 11, 2, 9, 14, 21, tzinfo=UTC)
    assert "reversed" in lines[2].description and lines[1].counterparty == "+2348031234567"


def test_paystack_settlements_fixture():
    [settlement] = PARSERS["paystack_csv"](fixture("statement__paystack_settlements.csv"))  # line 3 pending
    assert summary([settlement]) == [(2, "8819034", "", "credit", 14_262_500, 237_500, "settlement")]
    assert settlement.date_only and settlement.booked_at == datetime(2026, 11, 3, tzinfo=UTC)


@pytest.mark.parametrize(("name", "old", "new", "column", "words"), [
    ("statement__paystack_transactions.csv", '"25,000.00"', '"25,000.001"', "6 (Amount)", "more decimals"),
    ("statement__paystack_transactions.csv", "2026-11-02T09:14:21.000Z", "02/11/2026", "11 (Paid At)", "ISO 8601"),
    ("statement__paystack_transactions.csv", ",success,", ",won,", "3 (Status)", "unknown status"),
    ("statement__paystack_transactions.csv", ",NGN,", ",ngn,", "5 (Currency)", "unsupported currency"),
    ("statement__paystack_settlements.csv", '"142,625.00"', '"142,600.00"', "7 (Settled Amount)", "less the"),
    ("statement__paystack_settlements.csv", "2026-11-03", "3rd Nov", "2 (Settlement Date)", "ISO 8601"),
])
def test_paystack_bad_rows(name, old, new, column, words):
    error = refused("paystack_csv", replace_line(fixture(name), 2, old, new))
    assert (error.line, error.column) == (2, column) and words in error.message, error


def test_paystack_columns_of_the_other_export_are_refused():
    data = fixture("statement__paystack_settlements.csv").replace(b"Bank,", b"Channel,", 1)
    error = refused("paystack_csv", data)
    assert (error.line, error.column) == (2, 9) and "'Channel' does not belong" in error.message


# -- Paynow -----------------------------------------------------------------------------------------------------

def test_paynow_fixture():
    lines = PARSERS["paynow_csv"](fixture("statement__paynow_usd.csv"))
    assert summary(lines) == [
        (2, "17,403,881", "att_01JD2KG4E5F6G7H8J9K0M1N2P3", "credit", 15_000, 375, "entry"),
        (4, "17,404,517", "att_01JD2KJ6G7H8J9K0M1N2P3Q4R5", "credit", 62_000, 1_550, "entry"),
        (5, "17,405,230", "att_01JD2KK7H8J9K0M1N2P3Q4R5S6", "credit", 1_250, 31, "entry")]
    assert lines[0].booked_at == datetime(2026, 11, 2, 9, 14, tzinfo=CAT) and lines[0].counterparty == "0771234567"


def test_paynow_export_saved_as_cp1252():
    data = fixture("statement__paynow_usd.csv").decode().replace("Safari deposit", "Caf\u00e9 Mosi-oa-Tunya")
    lines = PARSERS["paynow_csv"](data.encode("cp1252"))
    assert "Caf\u00e9 Mosi-oa-Tunya" in lines[0].description


def test_paynow_without_a_currency_column_needs_one():
    data = b"Date,Reference,Paynow Reference,Status,Amount\n02 Nov 2026 09:14,att_1,\"1,082\",Paid,10.00\n"
    error = refused("paynow_csv", data)
    assert error.line == 2 and "give one" in error.message
    [line] = PARSERS["paynow_csv"](data, currency="ZWG")
    assert (line.currency, line.amount_minor, line.reference) == ("ZWG", 1_000, "1,082")


@pytest.mark.parametrize(("old", "new", "column", "words"), [
    ("146.25", "146.00", "11 (Net)", "Net is not Amount less Fee"),
    (",Paid,", ",Bounced,", "8 (Status)", "unknown status"),
    ("02 Nov 2026 09:14", "Nov 2 2026", "1 (Date)", "not a date"),
])
def test_paynow_bad_rows(old, new, column, words):
    error = refused("paynow_csv", replace_line(fixture("statement__paynow_usd.csv"), 2, old, new))
    assert (error.line, error.column) == (2, column) and words in error.message, error


# -- what every gateway CSV shares --------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "name"), [("mtn_momo_csv", "statement__mtn_momo_ug.csv"),
                                           ("airtel_csv", "statement__airtel_merchant.csv"),
                                           ("paystack_csv", "statement__paystack_transactions.csv"),
                                           ("paynow_csv", "statement__paynow_usd.csv")])
def test_common_refusals(fmt, name):
    assert "binary" in refused(fmt, b"PK\x03\x04\x00\x00").message
    assert "empty" in refused(fmt, b"").message
    assert "no header row" in refused(fmt, fixture("statement__mpesa_paybill.csv")).message
    # Windows line ends read; bytes valid in neither UTF-8 nor cp1252 are refused.
    assert PARSERS[fmt](fixture(name).replace(b"\n", b"\r\n"))
    assert "not text" in refused(fmt, fixture(name) + b"\x81\x8d\x8f\x90\x9d").message
