"""Reconciliation pages: upload a statement (imported, then reconciled) and work the review queue by role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "reconciliation" / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_transaction(monkeypatch):
    # The worker closes connections whose autocommit differs from the settings, as it is inside a test's
    # transaction; here the tasks run in that transaction.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def _upload(client, name="statement__mpesa_paybill.csv", **fields):
    data = {"format": "mpesa_csv", "preset": "", "currency": "",
            "file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv"), **fields}
    return client.post("/dashboard/reconciliation/", data, follow=True)


def _only_upload():
    from lipwa.dashboard.models import StatementUpload

    return StatementUpload.objects.get()


def test_upload_queues_an_import_then_the_task_imports_reconciles_and_fills_the_review_queue(
        as_role, run_tasks, merchant, tmp_path):
    from django_tasks_db.models import DBTaskResult

    client = as_role("operator")
    response = _upload(client)
    upload = _only_upload()
    assert response.redirect_chain == [(f"/dashboard/reconciliation/uploads/{upload.id}/", 302)]
    assert (upload.merchant_id, upload.mode, upload.uploaded_by, upload.status) == (
        merchant.id, "test", "operator@shop.example", "queued")
    assert upload.path == str(tmp_path / "uploads" / f"{upload.id}.statement")
    assert Path(upload.path).read_bytes() == (FIXTURES / "statement__mpesa_paybill.csv").read_bytes()
    task = DBTaskResult.objects.get()
    assert task.task_path == "lipwa.dashboard.tasks.statement_upload_import" and task.args_kwargs["args"] == [upload.id]
    page = response.content.decode()
    assert "queued for import" in page and '<meta http-equiv="refresh" content="2">' in page
    size = (FIXTURES / "statement__mpesa_paybill.csv").stat().st_size
    assert '<progress id="upload-progress"' in page and f"0.0 kB of {size / 1000:.1f} kB, 0 %" in page

    run_tasks()
    upload.refresh_from_db()
    assert upload.status == "done" and upload.finished_at and upload.statement_id.startswith("stm_")
    assert upload.counts["lines_in_file"] == upload.counts["lines_new"] > 0 and "matched" in upload.counts
    assert not Path(upload.path).exists() and not list((tmp_path / "uploads").iterdir())
    page = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/").content.decode()
    assert "Imported and reconciled" in page and upload.statement_id in page and "http-equiv" not in page
    assert f'<dd id="count-lines_new">{upload.counts["lines_new"]}</dd>' in page and ", 100 %" in page
    assert "<script" not in page  # nothing left to poll
    queue = client.get("/dashboard/reconciliation/review").content.decode()
    assert "missing_in_lipwa" in queue and "SKB5D6E7F8" in queue
    listing = client.get("/dashboard/reconciliation/").content.decode()
    assert f'href="/dashboard/reconciliation/uploads/{upload.id}/"' in listing and upload.statement_id in listing


def test_the_progress_page_polls_with_a_nonced_script_and_the_json_endpoint(as_role):
    client = as_role("operator")
    upload = (_upload(client), _only_upload())[1]
    response = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    progress = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/progress.json")
    assert progress["Cache-Control"] == "no-store"
    body = progress.json()
    assert (body["id"], body["status"], body["done_bytes"], body["total_bytes"], body["percent"], body["finished"]) == (
        upload.id, "queued", 0, upload.size_bytes, 0, False)


def test_running_progress_comes_from_the_progress_file_and_a_viewer_may_watch(as_role, client, staff):
    from lipwa.dashboard.progress import ProgressWriter
    from lipwa.dashboard.uploads import progress_path

    _upload(as_role("operator"))
    upload = _only_upload()
    client.force_login(staff("viewer"))
    upload.status, upload.size_bytes = "running", 40_000_000
    upload.save()
    ProgressWriter(progress_path(upload))(12_300_000, 40_000_000)
    page = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/").content.decode()
    assert 'value="12300000"' in page and "12.3 MB of 40.0 MB, 30 %" in page and "(importing)" in page
    body = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/progress.json").json()
    assert (body["status"], body["phase"], body["done_bytes"], body["percent"]) == ("running", "importing",
                                                                                     12_300_000, 30)


def test_a_bad_statement_fails_with_the_line_and_column_and_the_file_is_deleted(as_role, run_tasks, tmp_path):
    client = as_role("operator")
    bad = SimpleUploadedFile("bad.csv", b"Receipt No.,Completion Time\nX,not-a-date\n", content_type="text/csv")
    client.post("/dashboard/reconciliation/", {"format": "mpesa_csv", "file": bad})
    upload = _only_upload()
    run_tasks()
    upload.refresh_from_db()
    assert upload.status == "failed" and upload.error_message.startswith("bad.csv: line ")
    assert "column" in upload.error_message and not upload.statement_id
    assert not list((tmp_path / "uploads").iterdir())
    page = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/").content.decode()
    assert "The import failed" in page and "bad.csv: line " in page and "http-equiv" not in page
    body = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/progress.json").json()
    assert (body["status"], body["finished"], body["error"]) == ("failed", True, upload.error_message)


def test_a_bad_preset_fails_on_the_progress_page(as_role, run_tasks):
    client = as_role("operator")
    _upload(client, name="statement__equity_ke.csv", format="bank_csv", preset="no_such_bank")
    run_tasks()
    upload = _only_upload()
    assert upload.status == "failed" and "no_such_bank" in upload.error_message


def test_a_bad_form_is_refused_before_anything_is_stored(as_role, tmp_path):
    from lipwa.dashboard.models import StatementUpload

    client = as_role("operator")
    bad = SimpleUploadedFile("bad.csv", b"x", content_type="text/csv")
    response = client.post("/dashboard/reconciliation/", {"format": "nope", "file": bad})
    assert response.status_code == 400 and "format" in response.context["form"].errors
    response = client.post("/dashboard/reconciliation/", {"format": "mpesa_csv"})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not StatementUpload.objects.exists() and not (tmp_path / "uploads").exists()


def test_an_upload_that_cannot_be_stored_is_refused_on_the_page(as_role, settings, tmp_path):
    from lipwa.dashboard.models import StatementUpload

    settings.VAR_DIR = tmp_path / "not-a-directory"
    settings.VAR_DIR.write_text("")
    response = _upload(as_role("operator"))
    assert response.status_code == 400 and "the upload could not be stored" in response.content.decode()
    assert not StatementUpload.objects.exists()


def test_an_upload_whose_file_vanished_fails_with_a_precise_message(as_role, run_tasks):
    client = as_role("operator")
    _upload(client)
    upload = _only_upload()
    Path(upload.path).unlink()
    run_tasks()
    upload.refresh_from_db()
    assert upload.status == "failed" and "no longer on this host" in upload.error_message


def test_another_merchants_upload_is_not_found(as_role, client, staff):
    from lipwa.merchants.services import merchant_create

    _upload(as_role("operator"))
    upload = _only_upload()
    other = merchant_create(name="Other shop")
    client.force_login(staff("admin", email="admin@other.example", of=other))
    for url in (f"/dashboard/reconciliation/uploads/{upload.id}/", "/dashboard/reconciliation/uploads/upl_nope/"):
        assert client.get(url).status_code == 404
    response = client.get(f"/dashboard/reconciliation/uploads/{upload.id}/progress.json")
    assert response.status_code == 404 and upload.id in response.json()["error"]


def test_a_task_run_twice_imports_once(as_role, run_tasks):
    from lipwa.dashboard.uploads import statement_upload_run

    _upload(as_role("operator"))
    run_tasks()
    upload = _only_upload()
    assert statement_upload_run(upload.id).status == "done"
    assert statement_upload_run("upl_nope") is None


def test_viewer_cannot_upload_and_operator_cannot_write_off(client, staff, run_tasks):
    from lipwa.reconciliation.models import Discrepancy

    client.force_login(staff("viewer"))
    assert _upload(client).status_code == 403
    client.force_login(staff("operator"))
    _upload(client)
    run_tasks()
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
