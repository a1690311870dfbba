"""Reconciliation across apps: a bank transfer created through the API is settled by a bank statement
uploaded through the API, and the ledger shows the charge; an unexpected credit becomes a discrepancy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from lipwa.common import clock
from lipwa.connectors.bank_transfer.connector import payment_reference, reference_normalize
from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create
from lipwa.reconciliation.matching import bank_reference_normalize

pytestmark = pytest.mark.django_db
CAMT = (Path(__file__).parents[2] / "lipwa/reconciliation/tests/fixtures/statement__camt053.xml").read_bytes()


@pytest.fixture
def api(client, test_key):
    def call(method: str, path: str, **kwargs):
        kwargs.setdefault("content_type", "application/json")
        return getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {test_key}", **kwargs)

    return call


def statement_for(reference: str, amount: str) -> bytes:
    """The fixture camt.053 with today's payer reference and amount on its first entry, plus a credit that
    quotes nothing lipwa knows."""
    data = CAMT.replace(b"LPW-7K0Q2M9X", reference.lower().replace("-", " ").encode())
    data = data.replace(b'<Amt Ccy="KES">25000.00</Amt>', f'<Amt Ccy="KES">{amount}</Amt>'.encode())
    unknown = (b'<Ntry><Amt Ccy="KES">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
               b"<BookgDt><Dt>2026-11-03</Dt></BookgDt><AcctSvcrRef>FT26307UNK01</AcctSvcrRef>"
               b"<AddtlNtryInf>CASH DEPOSIT</AddtlNtryInf></Ntry>\n    </Stmt>")
    return data.replace(b"</Stmt>", unknown)


def test_statement_settles_a_bank_transfer(api, merchant):
    clock.freeze(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))  # the day before the statement's entries
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))
    created = api("post", "/v1/payments", data={"amount": 2_500_000, "currency": "KES", "method": "bank_transfer",
                                                 "merchant_reference": "ORDER-1001"})
    assert created.status_code == 201, created.content
    payment = created.json()
    assert payment["status"] == "requires_action"

    upload = SimpleUploadedFile("camt053.xml", statement_for(payment["gateway_reference"], "25000.00"),
                                content_type="application/xml")
    uploaded = api("post", "/v1/reconciliation/statements", data={"file": upload, "format": "camt053"},
                   content_type=MULTIPART_CONTENT)
    assert uploaded.status_code == 201, uploaded.content
    statement = uploaded.json()
    assert statement["counts"]["lines_new"] == 3

    reconciled = api("post", f"/v1/reconciliation/statements/{statement['id']}/reconcile").json()
    assert reconciled["matches"] == [{"line": 1, "payment": payment["id"], "rule": "bank_transfer_reference",
                                      "confidence": 95, "amount": 2_500_000, "reference": "FT26307ABC12"}]
    [discrepancy] = reconciled["discrepancies"]
    assert (discrepancy["kind"], discrepancy["status"], discrepancy["line"], discrepancy["payment"]) == (
        "missing_in_lipwa", "open", 4, None)
    assert reconciled["counts"]["unmatched_credits"] == 1

    shown = api("get", f"/v1/payments/{payment['id']}").json()
    assert (shown["status"], shown["receipt_number"]) == ("succeeded", "FT26307ABC12")
    accounts = api("get", "/v1/ledger/accounts").json()["data"]
    available = next(a for a in accounts if a["kind"] == "merchant_available" and a["currency"] == "KES")
    rows = api("get", f"/v1/ledger/accounts/{available['id']}/statement").json()["data"]
    assert [(row["code"], row["amount"], row["payment"]) for row in rows] == [("CHARGE", 2_500_000, payment["id"])]

    # The same file again: nothing new, nothing matched twice, the payment charged once.
    upload = SimpleUploadedFile("camt053.xml", statement_for(payment["gateway_reference"], "25000.00"))
    again = api("post", "/v1/reconciliation/statements", data={"file": upload, "format": "camt053"},
                content_type=MULTIPART_CONTENT).json()
    assert (again["counts"]["lines_new"], again["counts"]["lines_known"]) == (0, 3)
    api("post", f"/v1/reconciliation/statements/{again['id']}/reconcile")
    rows = api("get", f"/v1/ledger/accounts/{available['id']}/statement").json()["data"]
    assert len(rows) == 1


@pytest.mark.parametrize("attempt_id", ["att_1", "att_01M89GBVDZTCF2NYGYV9MDBMQ3", "x" * 40])
def test_reconciliation_reads_references_as_the_connector_does(attempt_id):
    reference = payment_reference(attempt_id)
    for typed in (reference, reference.lower(), reference.replace("-", " "), reference.replace("0", "O")):
        assert bank_reference_normalize(typed) == reference_normalize(typed)


def test_import_match_resolve_ledger(api, merchant):
    """One statement through the whole review: a transfer confirmed by its line, a deposit quoting nothing
    attached by an operator to the payment it was for, a payment the bank never received taken back out of
    the merchant's balance; the ledger, the balance and the report agree."""
    from lipwa.ledger.selectors import ledger_verify
    from lipwa.payments.offline import payment_confirm_offline

    clock.freeze(datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))

    def bank_transfer(amount: int) -> dict:
        created = api("post", "/v1/payments", data={"amount": amount, "currency": "KES", "method": "bank_transfer"})
        assert created.status_code == 201, created.content
        return created.json()

    quoted, unquoted, phantom = bank_transfer(2_500_000), bank_transfer(120_000), bank_transfer(500_000)
    # A teller confirmed this one by mistake: the statement will not show it.
    payment_confirm_offline(payment_id=phantom["id"], operator="teller", evidence={"reference": "SLIP-77"})
    upload = SimpleUploadedFile("camt053.xml", statement_for(quoted["gateway_reference"], "25000.00"))
    statement = api("post", "/v1/reconciliation/statements", data={"file": upload, "format": "camt053"},
                    content_type=MULTIPART_CONTENT).json()
    reconciled = api("post", f"/v1/reconciliation/statements/{statement['id']}/reconcile").json()
    assert [m["payment"] for m in reconciled["matches"]] == [quoted["id"]]
    queue = api("get", "/v1/reconciliation/discrepancies").json()["data"]
    by_kind = {d["kind"]: d for d in queue}
    assert set(by_kind) == {"missing_in_lipwa", "missing_in_statement"}
    assert by_kind["missing_in_statement"]["payment"] == phantom["id"]

    # The cash deposit of KES 1,200 was the customer of `unquoted`, who forgot the reference.
    line = by_kind["missing_in_lipwa"]["line"]
    attached = api("post", f"/v1/reconciliation/statements/{statement['id']}/lines/{line}/attach",
                   data={"payment": unquoted["id"]})
    assert attached.status_code == 200, attached.content
    shown = api("get", f"/v1/payments/{unquoted['id']}").json()
    assert (shown["status"], shown["receipt_number"]) == ("succeeded", "FT26307UNK01")

    resolved = api("post", f"/v1/reconciliation/discrepancies/{by_kind['missing_in_statement']['id']}/resolve",
                   data={"action": "accept_statement", "note": "slip was for another account"})
    assert resolved.status_code == 200, resolved.content
    assert api("get", "/v1/reconciliation/discrepancies").json()["data"] == []

    accounts = api("get", "/v1/ledger/accounts").json()["data"]
    available = next(a for a in accounts if a["kind"] == "merchant_available" and a["currency"] == "KES")
    rows = api("get", f"/v1/ledger/accounts/{available['id']}/statement").json()["data"]
    assert sorted((row["code"], row["amount"], row["payment"]) for row in rows) == sorted([
        ("CHARGE", 500_000, phantom["id"]), ("CHARGE", 2_500_000, quoted["id"]),
        ("CHARGE", 120_000, unquoted["id"]), ("CORRECTION", -500_000, phantom["id"])])  # a debit
    [kes] = [b for b in api("get", "/v1/balance").json()["balances"] if b["currency"] == "KES"]
    assert kes["available"] == 2_620_000
    assert ledger_verify() == []
    report = api("get", f"/v1/reconciliation/statements/{statement['id']}/report.csv").content.decode()
    assert "missing_in_statement,resolved" in report and "credits,26200.00,KES" in report
