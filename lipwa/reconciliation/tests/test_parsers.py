"""Each format's parser on a realistic fixture, and every bad input named by line and column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lipwa.reconciliation.parsers import PARSERS, StatementParseError

FIXTURES = Path(__file__).parent / "fixtures"
EAT = timezone(timedelta(hours=3))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(fmt: str, data: bytes, **kwargs):
    return PARSERS[fmt](data, **kwargs)


def refused(fmt: str, data: bytes, **kwargs) -> StatementParseError:
    with pytest.raises(StatementParseError) as caught:
        parse(fmt, data, **kwargs)
    return caught.value


# -- M-Pesa organisation statement ---------------------------------------------------------------------------

MPESA_HEADER = ("Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,"
                "Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\n")


def mpesa_row(paid_in="100.00", withdrawn="", completed="01-11-2026 09:15:02", receipt="SKB1A2B3C4") -> str:
    return (f'{receipt},{completed},{completed},Pay Bill,Completed,"{paid_in}",{withdrawn},"1,000.00",true,'
            f"Pay Bill Online,2547****678 - JANE,,INV42\n")


def test_mpesa_fixture():
    lines = parse("mpesa_csv", fixture("statement__mpesa_paybill.csv"))
    assert [(x.line_number, x.reference, x.direction, x.amount_minor) for x in lines] == [
        (6, "SKB1A2B3C4", "credit", 150000), (7, "SKB1A2B3C4", "debit", 1500), (8, "SKB5D6E7F8", "credit", 25000),
        (10, "SKC3K4M5N6", "debit", 60000)]  # the Failed row (line 9) moved no money
    first = lines[0]
    assert first.booked_at == datetime(2026, 11, 1, 6, 15, 2, tzinfo=UTC)
    assert (first.counterparty, first.payer_reference, first.currency, first.balance_minor) == (
        "2547****678", "INV42", "KES", 1150000)


def test_mpesa_iso_dates_and_bom():
    data = ("\ufeff" + MPESA_HEADER + mpesa_row(completed="2026-11-01 09:15:02")).encode("utf-8")
    [line] = parse("mpesa_csv", data)
    assert line.booked_at == datetime(2026, 11, 1, 9, 15, 2, tzinfo=EAT) and line.line_number == 2


@pytest.mark.parametrize(("row", "line", "column", "words"), [
    (mpesa_row(paid_in="-100.00"), 2, "6 (Paid In)", "negative"),
    (mpesa_row(paid_in="1O0.00"), 2, "6 (Paid In)", "not an amount"),
    (mpesa_row(paid_in="100.001"), 2, "6 (Paid In)", "decimals"),
    (mpesa_row(paid_in="0.00"), 2, "6 (Paid In)", "zero"),
    (mpesa_row(paid_in="100.00", withdrawn="-5.00"), 2, "6 (Paid In)", "exactly one"),
    (mpesa_row(completed="31-02-2026 09:00:00"), 2, "2 (Completion Time)", "not a date"),
    (mpesa_row(receipt=""), 2, "1 (Receipt No.)", "receipt"),
    ("SKB1,01-11-2026 09:15:02,x\n", 2, 3, "truncated"),
])
def test_mpesa_bad_rows(row, line, column, words):
    error = refused("mpesa_csv", (MPESA_HEADER + row).encode())
    assert (error.line, error.column) == (line, column) and words in error.message, error


def test_mpesa_unknown_and_missing_columns():
    error = refused("mpesa_csv", MPESA_HEADER.replace("Balance Confirmed", "Mood").encode())
    assert (error.line, error.column) == (1, 9) and "unknown column 'Mood'" in error.message
    error = refused("mpesa_csv", MPESA_HEADER.replace("Paid In,", "").replace("Withdrawn,", "").encode())
    assert error.line == 1 and "'Paid In'" in error.message and "'Withdrawn'" in error.message


def test_mpesa_wrong_file_type():
    assert "binary" in refused("mpesa_csv", b"PK\x03\x04\x00\x00excel").message
    assert "empty" in refused("mpesa_csv", b"  \n").message
    assert "no header row" in refused("mpesa_csv", b"date,amount\n2026-11-01,100\n").message
    assert "no header row" in refused("mpesa_csv", fixture("statement__camt053.xml")).message


# -- bank CSV with presets --------------------------------------------------------------------------------

def test_bank_csv_equity_preset():
    lines = parse("bank_csv", fixture("statement__equity_ke.csv"), preset="equity_ke", currency="KES")
    assert [(x.reference, x.direction, x.amount_minor, x.balance_minor) for x in lines] == [
        ("FT26307ABC12", "credit", 2500000, 12500000), ("CHG2630701", "debit", 15000, 12485000),
        ("FT26308XYZ90", "credit", 8000000, 20485000)]
    assert lines[0].booked_at == datetime(2026, 11, 3, tzinfo=EAT) and lines[0].date_only


def test_bank_csv_cp1252_semicolons_comma_decimals():
    lines = parse("bank_csv", fixture("statement__ecobank_xof.csv"), preset="ecobank_xof", currency="XOF")
    assert [(x.direction, x.amount_minor, x.balance_minor) for x in lines] == [
        ("credit", 25000, 1025000), ("debit", 2500, 1022500)]
    assert lines[0].description == "VIR RECU AWA DIOP lpw 7k0q-2m9x"


def test_bank_csv_refusals():
    data = fixture("statement__equity_ke.csv")
    assert "needs a preset" in refused("bank_csv", data, currency="KES").message
    assert "unknown preset" in refused("bank_csv", data, preset="nope", currency="KES").message
    assert "currency" in refused("bank_csv", data, preset="equity_ke").message
    assert "no header row" in refused("bank_csv", data, preset="ecobank_xof", currency="XOF").message
    bad = data.replace(b"03/11/2026,03/11/2026,LEDGER", b"2026-11-03,03/11/2026,LEDGER")
    error = refused("bank_csv", bad, preset="equity_ke", currency="KES")
    assert (error.line, error.column) == (3, "1 (Transaction Date)")
    bad = data.replace(b',,150.00,', b',,-150.00,')
    error = refused("bank_csv", bad, preset="equity_ke", currency="KES")
    assert (error.line, error.column) == (3, "6 (Money Out)") and "negative" in error.message
    error = refused("bank_csv", data.replace(b"Reference,", b"Ref,"), preset="equity_ke", currency="KES")
    assert "'Reference'" in error.message


# -- MT940 ------------------------------------------------------------------------------------------------

def test_mt940_fixture():
    lines = parse("mt940", fixture("statement__mt940.sta"))
    assert [(x.line_number, x.reference, x.payer_reference, x.direction, x.amount_minor) for x in lines] == [
        (6, "FT26307ABC12", "LPW-7K0Q2M9X", "credit", 2500000), (9, "CHG2630701", "", "debit", 15000),
        (11, "FT26365XYZ90", "", "credit", 8000000)]
    assert lines[0].description == "TRF FROM JOHN MWANGI /EREF/LPW-7K0Q2M9X/REMI/Order 1001"
    assert lines[0].account == "0170299001234" and lines[0].currency == "KES"
    # Value date 31 December, booked 1 January: the entry date rolls into the next year.
    assert lines[2].booked_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert lines[2].description == "/REMI/RTGS FROM ACME LOGISTICS INV 2026-118"


def test_mt940_reversal_and_no_blocks():
    data = (b":20:X\n:25:123\n:60F:C261102KES0,00\n:61:261103RC100,00NTRFNONREF\n:61:261103RD50,5NMSCREF2\n"
            b":62F:C261103KES0,00\n")
    first, second = parse("mt940", data)
    assert (first.direction, first.amount_minor, first.reference, first.payer_reference) == ("debit", 10000, "", "")
    assert (second.direction, second.amount_minor, second.payer_reference) == ("credit", 5050, "REF2")


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    (b"C25000,00NTRF", b"C25000.00NTRF", 6, "not value date"),
    (b"C25000,00NTRF", b"C25,000,00NTRF", 6, "one decimal comma"),
    (b":61:2611031103C", b":61:2613311103C", 6, "value date"),
    (b"TRF FROM JOHN", b"TRF FROM JOHN", None, None),
])
def test_mt940_bad_lines(old, new, line, words):
    data = fixture("statement__mt940.sta").replace(old, new)
    if words is None:
        assert parse("mt940", data)
        return
    error = refused("mt940", data)
    assert error.line == line and error.column and words in error.message, error


def test_mt940_truncated_and_wrong_currency():
    data = fixture("statement__mt940.sta")
    assert "truncated" in refused("mt940", data[: data.index(b":62F:")]).message
    assert "truncated" in refused("mt940", data.replace(b"-}", b"")).message
    assert "not an MT940" in refused("mt940", fixture("statement__equity_ke.csv")).message
    assert "not UGX" in refused("mt940", data, currency="UGX").message


# -- camt.053 ---------------------------------------------------------------------------------------------

def test_camt053_fixture():
    lines = parse("camt053", fixture("statement__camt053.xml"))
    assert [(x.line_number, x.reference, x.direction, x.amount_minor) for x in lines] == [
        (1, "FT26307ABC12", "credit", 2500000), (2, "CHG2630701", "debit", 15000)]  # the pending entry is not booked
    first = lines[0]
    assert (first.payer_reference, first.counterparty, first.description, first.account) == (
        "LPW-7K0Q2M9X", "0110234567800", "Order 1001", "0170299001234")
    assert first.booked_at == datetime(2026, 11, 3, 8, 20, 5, tzinfo=UTC) and not first.date_only


def test_camt053_refusals():
    data = fixture("statement__camt053.xml")
    error = refused("camt053", data[:1500])
    assert error.line and error.column and "truncated" in error.message
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&b;</Document>')
    assert "DTD" in refused("camt053", bomb).message
    assert "not a camt.053" in refused("camt053", data.replace(b"camt.053.001.08", b"camt.052.001.08")).message
    error = refused("camt053", data.replace(b"<CdtDbtInd>CRDT</CdtDbtInd><Sts>", b"<CdtDbtInd>CR</CdtDbtInd><Sts>", 1))
    assert (error.line, error.column) == (1, "CdtDbtInd")
    error = refused("camt053", data.replace(b'<Amt Ccy="KES">150.00', b'<Amt Ccy="KES">-150.00'))
    assert (error.line, error.column) == (2, "Amt") and "negative" in error.message
    error = refused("camt053", data.replace(b"<Dt>2026-11-03</Dt></BookgDt>", b"<Dt>03/11/2026</Dt></BookgDt>", 1))
    assert (error.line, error.column) == (2, "BookgDt")
    assert "not text in utf-8" in refused("camt053", data.replace(b"JOHN", "JÖHN".encode("cp1252"))).message
    assert "KES" in refused("camt053", data, currency="USD").message
