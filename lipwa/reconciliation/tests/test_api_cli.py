"""The statement endpoints and `lipwa reconcile import`: every bad input is a precise 4xx / exit 2 and stores
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lipwa.cli.main import main
from lipwa.reconciliation.models import Statement, StatementLine

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
MPESA = (FIXTURES / "statement__mpesa_paybill.csv").read_bytes()


@pytest.fixture
def upload(client, test_key):
    def call(data: dict, **extra):
        return client.post("/v1/reconciliation/statements", data=data, HTTP_AUTHORIZATION=f"Bearer {test_key}",
                           **extra)

    return call


def file_(content: bytes = MPESA, name: str = "nov.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_upload_then_get(upload, client, test_key):
    created = upload({"file": file_(), "format": "mpesa_csv"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id"].startswith("stm_") and body["counts"]["lines_new"] == 4 and body["currency"] == "KES"
    shown = client.get(f"/v1/reconciliation/statements/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert shown.status_code == 200 and shown.json()["counts"] == body["counts"]
    again = upload({"file": file_(), "format": "mpesa_csv"}).json()
    assert (again["counts"]["lines_new"], again["counts"]["lines_known"]) == (0, 4)
    reconciled = client.post(f"/v1/reconciliation/statements/{body['id']}/reconcile",
                             HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert reconciled.status_code == 200 and reconciled.json()["reconciled_at"]
    kinds = {d["kind"] for d in reconciled.json()["discrepancies"]}
    assert kinds == {"missing_in_lipwa"}  # no payments: both credits are unknown to lipwa


@pytest.mark.parametrize(("data", "status", "param", "code", "words"), [
    ({"format": "mpesa_csv"}, 400, "file", "file_required", "file"),
    ({"file": "x", "format": "mpesa_csv"}, 400, "file", "file_required", ""),
    ({"file": "FILE"}, 400, "format", "format_required", ""),
    ({"file": "FILE", "format": "ofx"}, 400, "format", "format_unknown", "ofx"),
    ({"file": "FILE", "format": "bank_csv"}, 400, "preset", "preset_required", "preset"),
    ({"file": "FILE", "format": "bank_csv", "preset": "x", "currency": "KES"}, 400, "preset", "preset_unknown", ""),
    ({"file": "FILE", "format": "mpesa_csv", "currency": "ksh"}, 400, "currency", "currency_not_supported", ""),
    ({"file": "BAD", "format": "mpesa_csv"}, 400, "file", "statement_invalid", "line 6, column 6 (Paid In)"),
    ({"file": "BINARY", "format": "mpesa_csv"}, 400, "file", "statement_invalid", "binary"),
    ({"file": "EMPTY", "format": "mpesa_csv"}, 400, "file", "statement_invalid", "empty"),
    ({"file": "FILE", "format": "camt053"}, 400, "file", "statement_invalid", "XML"),
])
def test_bad_uploads(upload, data, status, param, code, words):
    contents = {"FILE": MPESA, "BAD": MPESA.replace(b'"1,500.00"', b'"-1,500.00"', 1).replace(
        b',,-15.00,', b',"1,0,0",,', 1), "BINARY": b"%PDF-1.7\x00\x01", "EMPTY": b""}
    if data.get("file") in contents:
        data = {**data, "file": file_(contents[data["file"]])}
    response = upload(data)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code) and words in error["message"], error
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


def test_json_body_and_unknown_statement(client, test_key, merchant):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}
    response = client.post("/v1/reconciliation/statements", data={"format": "mpesa_csv"},
                           content_type="application/json", **auth)
    assert response.status_code == 400 and response.json()["error"]["param"] == "file"
    for path in ("/v1/reconciliation/statements/stm_nope", ):
        missing = client.get(path, **auth)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "statement_not_found"
    missing = client.post("/v1/reconciliation/statements/stm_nope/reconcile", **auth)
    assert missing.status_code == 404
    assert client.get("/v1/reconciliation/statements/stm_nope").status_code == 401


def test_another_merchants_statement_is_not_found(client, upload):
    from lipwa.merchants.services import api_key_create, merchant_create

    created = upload({"file": file_(), "format": "mpesa_csv"}).json()
    other = merchant_create(name="Other")
    _, key = api_key_create(merchant=other, mode="test", name="t")
    response = client.get(f"/v1/reconciliation/statements/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404


@pytest.fixture
def lipwa(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_import(lipwa, merchant, tmp_path):
    path = FIXTURES / "statement__equity_ke.csv"
    code, out, err = lipwa("reconcile", "import", str(path), "--merchant", merchant.id, "--format", "bank_csv",
                           "--preset", "equity_ke", "--currency", "KES", "--mode", "test")
    assert code == 0, err
    assert "3 line(s), 3 new" in out and "0 matched" in out
    code, out, _ = lipwa("reconcile", "import", str(path), "--merchant", merchant.id, "--format", "bank_csv",
                         "--preset", "equity_ke", "--currency", "KES", "--mode", "test", "--no-reconcile")
    assert code == 0 and "0 new, 3 already imported" in out


def test_cli_bad_inputs(lipwa, merchant, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(MPESA.replace(b"01-11-2026 10:02:11,", b"2026-13-01 10:02:11,", 1))
    cases = [
        (["/nonexistent.csv", "--merchant", merchant.id, "--format", "mpesa_csv"], "cannot read"),
        ([str(bad), "--merchant", "mer_nope", "--format", "mpesa_csv"], "no merchant"),
        ([str(bad), "--merchant", merchant.id, "--format", "ofx"], "unknown format"),
        ([str(bad), "--merchant", merchant.id, "--format", "mpesa_csv"], "line 8, column 2 (Completion Time)"),
    ]
    for argv, words in cases:
        code, _, err = lipwa("reconcile", "import", *argv, "--mode", "test")
        assert code == 2 and words in err, (argv, err)
    code, _, _ = lipwa("reconcile", "import", str(bad), "--merchant", merchant.id)  # --format is required
    assert code == 2
    assert not Statement.objects.exists()
