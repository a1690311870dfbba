"""A statement upload whose import worker died is failed with a clear message and its file removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "reconciliation" / "tests" / "fixtures"


def test_an_import_abandoned_by_its_worker_fails_the_upload_and_removes_its_files(
        merchant, settings, tmp_path, django_capture_on_commit_callbacks):
    from lipwa.dashboard.models import StatementUpload
    from lipwa.dashboard.uploads import ABANDONED, progress_path, statement_upload_create, statement_upload_progress
    from lipwa.ops.abandoned import tasks_abandoned_reap

    settings.VAR_DIR = tmp_path
    settings.LIPWA_TASK_ABANDONED_SECONDS = 600
    name = "statement__mpesa_paybill.csv"
    upload = statement_upload_create(merchant=merchant, mode="test", uploaded_by="ops@shop.example",
                                     file=SimpleUploadedFile(name, (FIXTURES / name).read_bytes()),
                                     format="mpesa_csv", preset=None, currency=None)
    # A worker claimed the import, began it (the progress file exists) and was killed.
    task = DBTaskResult.objects.get()
    task.claim("worker-that-died")
    DBTaskResult.objects.filter(id=task.id).update(started_at=clock.now() - timedelta(seconds=601))
    StatementUpload.objects.filter(id=upload.id).update(status=StatementUpload.Status.RUNNING)
    progress_path(upload).write_text('{"done_bytes": 10}')

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_abandoned_reap() == 1
    upload.refresh_from_db()
    assert upload.status == StatementUpload.Status.FAILED and upload.error_message == ABANDONED
    assert upload.finished_at is not None
    assert not Path(upload.path).exists() and not progress_path(upload).exists()
    shown = statement_upload_progress(upload)
    assert shown["finished"] and shown["error"] == ABANDONED


def test_an_upload_that_already_finished_is_left_as_it_is(merchant, settings, tmp_path):
    from lipwa.dashboard.models import StatementUpload
    from lipwa.dashboard.uploads import statement_upload_abandoned

    settings.VAR_DIR = tmp_path
    upload = StatementUpload.objects.create(merchant=merchant, mode="test", uploaded_by="a", filename="s.csv",
                                            format="mpesa_csv", path=str(tmp_path / "x"), created_at=clock.now(),
                                            status=StatementUpload.Status.DONE)
    statement_upload_abandoned(upload.id)
    statement_upload_abandoned("upl_missing")
    upload.refresh_from_db()
    assert upload.status == StatementUpload.Status.DONE and upload.error_message == ""
