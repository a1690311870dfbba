"""The review queue, resolutions, attaching lines and the statement report through /v1/reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lipwa.common import clock
from lipwa.ledger.models import Transfer

from .conftest import mtn_csv

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
NOON = "2026-11-02 12:00:00"


@pytest.fixture
def api(client, test_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def get(self, path, **params):
            return client.get(f"/v1/reconciliation{path}", params, **auth)

        def post(self, path, body=None):
            return client.post(f"/v1/reconciliation{path}", body or {}, content_type="application/json", **auth)

        def upload(self, data: bytes, fmt: str, name: str = "s.csv", **fields):
            return client.post("/v1/reconciliation/statements",
                               {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "format": fmt,
                                **fields}, **auth)

    return Api()


@pytest.fixture
def statement(api, gateway_payment):
    clock.freeze(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    gateway_payment(amount=50_000, receipt="7634219051")
    created = api.upload(mtn_csv(("7634219051", NOON, "256772123456", "50,000", "500"),
                                 ("7634220417", NOON, "256701555444", "15,500", "0")), "mtn_momo_csv")
    assert created.status_code == 201, created.content
    reconciled = api.post(f"/statements/{created.json()['id']}/reconcile")
    assert reconciled.status_code == 200
    return reconciled.json()


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_queue_resolve_and_report(api, statement):
    queue = api.get("/discrepancies")
    assert queue.status_code == 200
    kinds = {d["kind"]: d for d in queue.json()["data"]}
    assert set(kinds) == {"fee_difference", "missing_in_lipwa"} and queue.json()["has_more"] is False
    fee = kinds["fee_difference"]
    assert api.get("/discrepancies", kind="fee_difference").json()["data"] == [fee]
    resolved = api.post(f"/discrepancies/{fee['id']}/resolve", {"action": "accept_statement", "note": "tariff"})
    assert resolved.status_code == 200, resolved.content
    body = resolved.json()
    assert (body["status"], body["resolution"], body["note"]) == ("resolved", "accept_statement", "tariff")
    assert body["details"]["correction"]["amount"] == 500
    assert Transfer.objects.filter(code="CORRECTION").count() == 1
    assert error_of(api.post(f"/discrepancies/{fee['id']}/resolve", {"action": "write_off", "note": "x"}),
                    409)["code"] == "discrepancy_resolved"

    report = api.get(f"/statements/{statement['id']}/report.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    text = report.content.decode()
    assert text.startswith("line,booked_at,direction,kind,amount,currency,reference")
    assert "7634220417" in text and "unmatched" in text and "fee_difference,resolved" in text
    assert "credits,655.00,UGX" not in text and "credits,65500,UGX" in text  # UGX has no minor digits
    pdf = api.get(f"/statements/{statement['id']}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"


def test_attach_through_the_api(api, statement, gateway_payment, merchant):
    payment = gateway_payment(amount=15_500, succeed=False)
    line = next(d["line"] for d in statement["discrepancies"] if d["kind"] == "missing_in_lipwa")
    attached = api.post(f"/statements/{statement['id']}/lines/{line}/attach", {"payment": payment.id})
    assert attached.status_code == 200, attached.content
    assert {m["payment"] for m in attached.json()["matches"]} >= {payment.id}
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert error_of(api.post(f"/statements/{statement['id']}/lines/{line}/attach", {"payment": payment.id}),
                    409)["code"] == "line_already_matched"


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("/discrepancies/dsc_nope/resolve", {"action": "write_off", "note": "x"}, 404, "discrepancy_not_found"),
    ("DSC/resolve", {"action": "approve"}, 400, None),
    ("DSC/resolve", {"action": "write_off"}, 400, "note_required"),
    ("DSC/resolve", {"action": "write_off", "note": "x", "extra": 1}, 400, None),
    ("DSC/resolve", {"action": "accept_statement"}, 409, "action_not_applicable"),
    ("LINE/attach", {}, 400, "target_required"),
    ("LINE/attach", {"payment": "pay_nope"}, 404, None),
    ("LINE/attach", {"invoice": "inv_nope"}, 404, None),
    ("LINE/attach", {"payment": "pay_x", "invoice": "inv_x"}, 400, "target_required"),
    ("/statements/STM/lines/999/attach", {"payment": "pay_x"}, 404, "statement_line_not_found"),
    (f"/statements/STM/lines/{10**30}/attach", {"payment": "pay_x"}, 404, "statement_line_not_found"),
    ("/statements/STM/lines/-1/attach", {"payment": "pay_x"}, 404, "statement_line_not_found"),
    ("/statements/stm_nope/lines/2/attach", {"payment": "pay_x"}, 404, "statement_not_found"),
])
def test_bad_review_requests(api, statement, path, body, status, code):
    c2b = next(d for d in statement["discrepancies"] if d["kind"] == "missing_in_lipwa")
    path = (path.replace("DSC/", f"/discrepancies/{c2b['id']}/")
            .replace("LINE/", f"/statements/{statement['id']}/lines/{c2b['line']}/")
            .replace("STM", statement["id"]))
    error = error_of(api.post(path, body), status)
    assert code is None or error["code"] == code, error
    assert api.get(f"/discrepancies/{c2b['id']}").json()["status"] == "open"


def test_queue_filters_are_checked_and_scoped(api, statement, client):
    from lipwa.merchants.services import api_key_create, merchant_create

    assert error_of(api.get("/discrepancies", status="closed"), 400)["param"] == "status"
    assert error_of(api.get("/discrepancies", kind="typo"), 400)["param"] == "kind"
    assert error_of(api.get("/discrepancies", limit=0), 400)["param"] == "limit"
    page = api.get("/discrepancies", limit=1).json()
    assert len(page["data"]) == 1 and page["has_more"] is True
    rest = api.get("/discrepancies", starting_after=page["data"][0]["id"]).json()
    assert len(rest["data"]) == 1 and not rest["has_more"]
    _, other_key = api_key_create(merchant=merchant_create(name="Other"), mode="test", name="t")
    other = client.get(f"/v1/reconciliation/discrepancies/{page['data'][0]['id']}",
                       HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert other.status_code == 404
    assert client.get(f"/v1/reconciliation/statements/{statement['id']}/report.csv",
                      HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404


@pytest.mark.parametrize(("fmt", "name", "lines"), [("mtn_momo_csv", "statement__mtn_momo_ug.csv", 3),
                                                    ("airtel_csv", "statement__airtel_merchant.csv", 3),
                                                    ("paystack_csv", "statement__paystack_settlements.csv", 1),
                                                    ("paynow_csv", "statement__paynow_usd.csv", 3)])
def test_gateway_uploads(api, fmt, name, lines):
    response = api.upload((FIXTURES / name).read_bytes(), fmt, name)
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["lines_new"] == lines and response.json()["format"] == fmt
    bad = api.upload((FIXTURES / name).read_bytes()[:-30] + b'"', fmt, name)
    error = error_of(bad, 400)
    assert error["code"] == "statement_invalid" and "line" in error["message"]
