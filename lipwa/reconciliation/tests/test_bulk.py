"""The bulk path (columnar engine) gives exactly what the parser and `match_lines` give: same lines, same
errors, same matches, in the same order."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common.errors import InvalidRequest
from lipwa.reconciliation.bulk import matching as bulk_matching
from lipwa.reconciliation.bulk import mpesa_csv as bulk_mpesa_csv
from lipwa.reconciliation.bulk import statements as bulk_statements
from lipwa.reconciliation.bulk.engine import session
from lipwa.reconciliation.matching import LineView, PaymentView, match_lines
from lipwa.reconciliation.models import StatementLine
from lipwa.reconciliation.parsers import StatementParseError, mpesa_csv
from lipwa.reconciliation.parsers.base import StatementFile
from lipwa.reconciliation.services import statement_import

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
# Small pools, so that references, amounts, phones and times collide and every tie-break is exercised.
REFERENCES = ["", "SK1", "sk1", " SK1 ", "SK2", "RX9", "ws_1", "WS_1", "LPW-ABCD1234"]
ODD_REFERENCES = ["é1", "SK2\t", "SK1\u00a0"]  # the engine leaves these runs to match_lines
PHONES = ["", "+254712345678", "+254799999678", "0712"]
COUNTERPARTIES = ["", "254712345678", "2547****678", "0712345678", "254799999999", "25**78"]
TEXTS = ["", "LPW-ABCD1234", "pay lpw abcd 1234", "INV42", "LPW ABCD 1235"]


@st.composite
def views(draw):
    line_count, payment_count = draw(st.integers(0, 14)), draw(st.integers(0, 14))
    references = st.sampled_from(REFERENCES + (ODD_REFERENCES if draw(st.integers(0, 9)) == 0 else []))
    lines = [LineView(
        id=index + 1, reference=draw(references), amount_minor=draw(st.sampled_from([100, 200, 300])),
        currency=draw(st.sampled_from(["KES", "KES", "UGX"])), direction=draw(st.sampled_from(["credit", "debit"])),
        booked_at=T0 + timedelta(seconds=draw(st.integers(0, 5400))),
        counterparty=draw(st.sampled_from(COUNTERPARTIES)), payer_reference=draw(st.sampled_from(TEXTS)),
        description=draw(st.sampled_from(TEXTS)), date_only=draw(st.booleans()),
        external_reference=draw(references), kind=draw(st.sampled_from(["entry"] * 5 + ["settlement"])))
        for index in range(line_count)]
    payments = [PaymentView(
        id=f"pay_{index}", amount_minor=draw(st.sampled_from([100, 200, 300])),
        currency=draw(st.sampled_from(["KES", "KES", "UGX"])),
        created_at=T0 + timedelta(seconds=draw(st.integers(0, 5400))), phone=draw(st.sampled_from(PHONES)),
        gateway_reference=draw(references), receipt_number=draw(references)) for index in range(payment_count)]
    return lines, payments


@settings(max_examples=150, deadline=None)
@given(views(), st.sampled_from([0, 5, 30, 90]))
def test_engine_matches_exactly_as_match_lines(data, window_minutes):
    lines, payments = data
    assert bulk_matching.match_views(lines, payments, window_minutes=window_minutes) == match_lines(
        lines, payments, window_minutes=window_minutes)


def test_the_engine_runs_rule_one_for_plain_references_and_leaves_other_text_to_python():
    lines = [LineView(1, "SK1", 100, "KES", "credit", T0), LineView(2, "sk1", 100, "KES", "credit", T0)]
    payments = [PaymentView("a", 90, "KES", T0, receipt_number=" SK1 "), PaymentView("b", 100, "KES", T0,
                                                                                     receipt_number="SK1")]
    assert bulk_matching.engine_comparable(lines, payments)
    [result] = bulk_matching.match_views(lines, payments)
    assert (result.line_id, result.payment_id, result.amount_matches, result.confidence_percent) == (1, "a", False, 80)
    assert not bulk_matching.engine_comparable([LineView(1, "SK1\u00a0", 100, "KES", "credit", T0)], [])


# -- the M-Pesa CSV read by the engine ------------------------------------------------------------------------

HEADER = ["Receipt No.", "Completion Time", "Initiation Time", "Details", "Transaction Status", "Paid In",
          "Withdrawn", "Balance", "Balance Confirmed", "Reason Type", "Other Party Info", "Linked Transaction ID",
          "A/C No."]
CELLS = {
    "Receipt No.": ["SK1", "SK2", "sk1", " SK3 ", "RX1", "SK4", ""],
    "Completion Time": ["01-10-2026 12:00:36", "2026-10-01 12:10:00", "01-10-2026 12:20:00", "1-10-2026 9:00:36",
                        "31-02-2026 00:00:00", "yesterday", " 01-10-2026 12:30:00 ", "00-10-2026 10:00:00"],
    "Details": ["Pay Bill Online", "", "Pay from LPW-ABCD1234"],
    "Transaction Status": ["Completed", "Completed", "completed", "Failed", " Completed "],
    "Paid In": ["", "78.00", "1,234.50", "78", "0.00", "-5.00", "12.345", "12.340", "abc", " 7 ", "+3.1", "1 000",
                "99999999999999999999", ".5"],
    "Withdrawn": ["", "", "-78.00", "78.00", "0", "x"],
    "Balance": ["", "100.00", "-5.5", "1.234", "n/a", "1,000,000.00"],
    "Other Party Info": ["254712345678 - JOHN", "2547****678 - JANE DOE", "", "0712345678", "  2547****678  "],
    "A/C No.": ["", "ACC1", "LPW-ABCD1234"],
}


@st.composite
def statements(draw):
    header = [name for name in HEADER if name in mpesa_csv.REQUIRED or draw(st.integers(0, 5))]
    good = draw(st.booleans())  # half the files hold only rows the engine reads itself
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        cells = {name: draw(st.sampled_from(CELLS.get(name, ["", "true", "x"])[:3 if good else None]))
                 for name in header}
        if good:
            cells["Transaction Status"] = "Completed"
            cells["Paid In"], cells["Withdrawn"] = draw(st.sampled_from([("78.00", ""), ("1,234.50", ""),
                                                                         ("", "-78.00"), ("78", "")]))
        rows.append([cells[name] for name in header])
    buffer = io.StringIO()
    buffer.write("Organization Name:,Test Ltd\n\n" if draw(st.booleans()) else "")
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    if not good and draw(st.integers(0, 6)) == 0:
        blank_row = [""] * (len(header) - 1)
        buffer.write(draw(st.sampled_from(["SK9,01-10-2026 12:00:36\n", "\n", "\"unterminated\n",
                                           ",".join([' "a"', *blank_row]) + "\n",
                                           ",".join(['"a" ', *blank_row]) + "\n",
                                           ",".join(["caf\u00e9", *blank_row]) + "\n"])))
    return buffer.getvalue().encode()


def _parse(data: bytes):
    try:
        return mpesa_csv.parse(data, currency="KES"), None
    except StatementParseError as exc:
        return None, str(exc)


def _bulk(path: Path, data: bytes):
    path.write_bytes(data)
    connection = session()
    try:
        if not bulk_mpesa_csv.read(connection, str(path), currency="KES"):
            return connection, None, None
    except StatementParseError as exc:
        return connection, None, str(exc)
    bulk_mpesa_csv.raw_lines(connection, str(path))
    return connection, list(bulk_statements._stream(connection)), None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=statements(), payments=views())
def test_engine_reads_and_matches_a_statement_exactly_as_the_parser_and_match_lines(tmp_path, data, payments):
    expected, expected_error = _parse(data)
    connection, lines, error = _bulk(tmp_path / "statement.csv", data)
    if lines is None and error is None:
        return  # left to the parser: the import then runs the parser itself
    assert error == expected_error
    if error is not None:
        return
    assert lines == expected and [line.raw for line in lines] == [line.raw for line in expected]
    # The same statement, still in the engine, matched against payments.
    connection = session()
    assert bulk_mpesa_csv.read(connection, str(tmp_path / "statement.csv"), currency="KES")
    payment_list = [p for p in payments[1] if bulk_matching._engine_text(p.receipt_number)
                    and bulk_matching._engine_text(p.gateway_reference)]
    bulk_matching.load_payments(connection, payment_list)
    got = bulk_matching.match(connection, payments=payment_list).results()
    connection.close()
    as_views = [LineView(id=line.line_number, reference=line.reference, amount_minor=line.amount_minor,
                         currency=line.currency, direction=line.direction, booked_at=line.booked_at,
                         counterparty=line.counterparty, payer_reference=line.payer_reference,
                         description=line.description, date_only=line.date_only) for line in expected]
    assert got == match_lines(as_views, payment_list)


def test_clean_files_take_the_engine_and_a_bad_row_is_reported_at_its_line(tmp_path):
    data = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes()
    _, lines, error = _bulk(tmp_path / "a.csv", data)
    assert error is None and lines == mpesa_csv.parse(data)
    bad = data.replace(b'"1,500.00"', b'"1,500.005"', 1)
    _, lines, error = _bulk(tmp_path / "b.csv", bad)
    assert lines is None and error == _parse(bad)[1] and error.startswith("line 6, column 6 (Paid In): ")


# -- wired into statement_import --------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _stored(statement):
    return list(StatementLine.objects.filter(statement=statement).order_by("line_number").values_list(
        "line_number", "fingerprint", "reference", "amount_minor", "direction", "booked_at", "counterparty",
        "description", "payer_reference", "balance_minor", "raw"))


@pytest.mark.django_db
def test_statement_import_stores_the_same_lines_through_the_engine(merchant, monkeypatch):
    data = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes()
    parsed = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="a.csv", data=data)
    expected = _stored(parsed)
    StatementLine.objects.filter(statement=parsed).delete()
    used = []
    monkeypatch.setattr(bulk_statements, "BULK_BYTES_MIN", 0)
    monkeypatch.setattr(bulk_statements, "_stream", lambda connection, real=bulk_statements._stream: (
        used.append(True), real(connection))[1])
    bulk = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="b.csv", data=data)
    assert used and _stored(bulk) == expected and bulk.lines_new == parsed.lines_new


@pytest.mark.django_db
def test_a_bad_row_in_a_large_file_imports_nothing(merchant, monkeypatch):
    monkeypatch.setattr(bulk_statements, "BULK_BYTES_MIN", 0)
    data = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes().replace(b"01-11-2026 10:02:11,",
                                                                             b"31-11-2026 10:02:11,", 1)
    with pytest.raises(InvalidRequest) as raised:
        statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="bad.csv", data=data)
    assert raised.value.message.startswith("bad.csv: line 8, column 2 (Completion Time): ")
    assert not StatementLine.objects.filter(merchant=merchant).exists()


def test_statement_file_is_copied_for_the_engine(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_statements, "BULK_BYTES_MIN", 0)
    data = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes()
    lines = bulk_statements.mpesa_lines(StatementFile(io.BytesIO(data)), currency=None)
    assert list(lines) == mpesa_csv.parse(data)


@pytest.mark.django_db
def test_plain_matches_are_written_in_batches_and_resolve_an_earlier_missing(merchant, monkeypatch):
    from lipwa.common import clock
    from lipwa.payments.tests.factories import succeeded_payment, unreachable_mpesa_account
    from lipwa.reconciliation import services
    from lipwa.reconciliation.models import Discrepancy, Match
    from lipwa.reconciliation.services import statement_reconcile

    monkeypatch.setattr(services, "MATCH_BATCH", 1)
    clock.freeze(datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    unreachable_mpesa_account(merchant)
    first, later = succeeded_payment(merchant, amount_minor=150_000), succeeded_payment(merchant, amount_minor=25_000)
    type(first).objects.filter(id=first.id).update(receipt_number="SKB1")
    type(later).objects.filter(id=later.id).update(receipt_number="SKB2")
    header = "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Other Party Info\n"
    october = (header + "SKA0,01-11-2026 08:00:00,Pay Bill,Completed,,-10.00,\n"
               'SKB1,01-11-2026 09:15:02,Pay Bill,Completed,"1,500.00",,2547****678 - JANE\n')
    statement = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="a.csv",
                                 data=october.encode())
    assert statement_reconcile(statement=statement) == {"matched": 1, "confirmed": 0, "settled": 0}
    missing = Discrepancy.objects.get(kind="missing_in_statement")
    assert missing.payment_id == later.id and missing.status == "open"
    november = header + "SKB2,01-11-2026 10:00:00,Pay Bill,Completed,250.00,,2547****678 - JANE\n"
    statement = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="b.csv",
                                 data=november.encode())
    assert statement_reconcile(statement=statement) == {"matched": 1, "confirmed": 0, "settled": 0}
    missing.refresh_from_db()
    assert (missing.status, missing.resolution, missing.resolved_by) == ("resolved", "matched", "reconciliation")
    assert sorted(Match.objects.values_list("payment_id", "rule", "confidence_percent")) == sorted(
        [(first.id, "reference", 100), (later.id, "reference", 100)])
