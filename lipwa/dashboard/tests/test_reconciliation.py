"""Reconciliation pages: upload a statement (imported, then reconciled) and work the review queue by role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "reconciliation" / "tests" / "fixtures"


def _upload(client, name="statement__mpesa_paybill.csv", **fields):
    data = {"format": "mpesa_csv", "preset": "", "currency": "",
            "file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv"), **fields}
    return client.post("/dashboard/reconciliation/", data, follow=True)


def test_upload_imports_reconciles_and_fills_the_review_queue(as_role):
    client = as_role("operator")
    page = _upload(client).content.decode()
    assert "statement__mpesa_paybill.csv: " in page and "reconciled" in page
    queue = client.get("/dashboard/reconciliation/review").content.decode()
    assert "missing_in_lipwa" in queue and "SKB5D6E7F8" in queue


def test_a_bad_statement_is_refused_with_the_line(as_role):
    client = as_role("operator")
    bad = SimpleUploadedFile("bad.csv", b"Receipt No.,Completion Time\nX,not-a-date\n", content_type="text/csv")
    response = client.post("/dashboard/reconciliation/", {"format": "mpesa_csv", "file": bad}, follow=True)
    assert "bad.csv:" in response.content.decode()
    response = client.post("/dashboard/reconciliation/", {"format": "nope", "file": bad})
    assert response.status_code == 400 and "format" in response.context["form"].errors


def test_viewer_cannot_upload_and_operator_cannot_write_off(client, staff):
    from lipwa.reconciliation.models import Discrepancy

    client.force_login(staff("viewer"))
    assert _upload(client).status_code == 403
    client.force_login(staff("operator"))
    _upload(client)
    discrepancy = Discrepancy.objects.filter(status="open").first()
    url = f"/dashboard/reconciliation/discrepancies/{discrepancy.id}"
    assert client.post(url, {"action": "write_off", "note": "x"}).status_code == 403
    client.post(url, {"action": "mark_reviewed"})
    discrepancy.refresh_from_db()
    assert discrepancy.status == "reviewed"
    client.force_login(staff("admin"))
    page = client.post(url, {"action": "write_off"}, follow=True).content.decode()
    assert "needs a note" in page
    client.post(url, {"action": "write_off", "note": "bank fee we accept"})
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.resolution) == ("resolved", "write_off")
    assert client.post("/dashboard/reconciliation/discrepancies/dis_nope",
                       {"action": "mark_reviewed"}).status_code == 404
