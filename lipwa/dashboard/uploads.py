"""Statement uploads from the dashboard: stored under the var dir, then imported and reconciled by a task.

The upload request only streams the file to VAR_DIR/uploads/<id>.statement and records a StatementUpload with
its task (one transaction); the worker runs `statement_import` and `statement_reconcile` (public functions of
lipwa.reconciliation), reporting progress to <id>.progress.json (see progress.py), then deletes both files.
The worker must see the web process's var dir: one host, as `lipwa run` and the documented deployment have it.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import LipwaError
from lipwa.merchants.models import Merchant
from lipwa.reconciliation.services import statement_import, statement_reconcile

from .models import StatementUpload, new_upload_id
from .progress import ProgressWriter, progress_read

log = logging.getLogger("lipwa.dashboard")

UNEXPECTED = "the import stopped on an unexpected error; the server log has the details"
ABANDONED = ("the worker stopped during the import (restarted or out of memory); the import is all or nothing, so "
             "nothing was imported: upload the file again")


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def progress_path(upload: StatementUpload) -> Path:
    return Path(upload.path).with_name(f"{upload.id}.progress.json")


def statement_upload_create(*, merchant: Merchant, mode: str, uploaded_by: str, file: UploadedFile, format: str,
                            preset: str | None, currency: str | None) -> StatementUpload:
    """Store the file and queue its import; the row and its task are committed together."""
    from .tasks import statement_upload_import

    upload_id = new_upload_id()
    path = uploads_dir() / f"{upload_id}.statement"
    size = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:
            for chunk in file.chunks():
                out.write(chunk)
                size += len(chunk)
        with transaction.atomic():
            upload = StatementUpload.objects.create(
                id=upload_id, merchant=merchant, mode=mode, uploaded_by=uploaded_by, filename=(file.name or "")[:255],
                format=format, preset=preset or "", currency=currency or "", path=str(path), size_bytes=size,
                created_at=clock.now())
            statement_upload_import.enqueue(upload_id)
    except OSError as error:  # a full disk or an unwritable var dir: say so on the page rather than a 500
        _remove(path)
        raise LipwaError(f"{file.name}: the upload could not be stored ({error.strerror or error})",
                         code="upload_store_failed", status=503) from None
    except BaseException:
        _remove(path)
        raise
    return upload


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # already gone, or never written
        path.unlink()


def statement_upload_run(upload_id: str) -> StatementUpload | None:
    """Import and reconcile an upload once (a second run of the same task finds it no longer queued)."""
    with transaction.atomic():
        upload = StatementUpload.objects.select_for_update().filter(id=upload_id).first()
        if upload is None or upload.status != StatementUpload.Status.QUEUED:
            log.warning("statement upload %s is not waiting for an import; skipped", upload_id)
            return upload
        upload.status = StatementUpload.Status.RUNNING
        upload.save(update_fields=["status"])
    writer = ProgressWriter(progress_path(upload))
    try:
        counts = _import_and_reconcile(upload, writer)
    except LipwaError as error:
        return _finish(upload, StatementUpload.Status.FAILED, error_message=error.message)
    except Exception:
        _finish(upload, StatementUpload.Status.FAILED, error_message=UNEXPECTED)
        raise
    finally:
        _remove(Path(upload.path))
        _remove(progress_path(upload))
    return _finish(upload, StatementUpload.Status.DONE, counts=counts)


def statement_upload_abandoned(upload_id: str) -> None:
    """The import task's worker died (lipwa.ops.abandoned): fail the upload and remove its files. Runs inside
    the reaping transaction; the files go once it commits."""
    upload = StatementUpload.objects.select_for_update().filter(id=upload_id).first()
    if upload is None or upload.status not in (StatementUpload.Status.QUEUED, StatementUpload.Status.RUNNING):
        return
    _finish(upload, StatementUpload.Status.FAILED, error_message=ABANDONED)
    transaction.on_commit(lambda: (_remove(Path(upload.path)), _remove(progress_path(upload))))


def _import_and_reconcile(upload: StatementUpload, writer: ProgressWriter) -> dict:
    try:
        stream = open(upload.path, "rb")  # noqa: SIM115 (closed below, after a possibly long import)
    except FileNotFoundError:
        raise LipwaError(f"{upload.filename}: the uploaded file is no longer on this host ({upload.path}); the "
                         "worker must share the web process's var dir", code="upload_missing") from None
    with stream:
        statement = statement_import(merchant=upload.merchant, mode=upload.mode, format=upload.format,
                                     filename=upload.filename, stream=stream, preset=upload.preset or None,
                                     currency=upload.currency or None, imported_by=upload.uploaded_by,
                                     on_progress=writer)
    writer.set_phase("reconciling")
    reconciled = statement_reconcile(statement=statement)
    upload.statement_id = statement.id
    return {"lines_in_file": statement.lines_in_file, "lines_new": statement.lines_new, **reconciled}


def _finish(upload: StatementUpload, status: str, *, error_message: str = "", counts: dict | None = None
            ) -> StatementUpload:
    upload.status, upload.error_message, upload.counts = status, error_message, counts or {}
    upload.finished_at = clock.now()
    upload.save(update_fields=["status", "error_message", "counts", "statement_id", "finished_at"])
    return upload


def statement_upload_of_merchant(*, merchant: Merchant, mode: str, upload_id: str) -> StatementUpload | None:
    return StatementUpload.objects.filter(merchant=merchant, mode=mode, id=upload_id).first()


def statement_uploads_recent(*, merchant: Merchant, mode: str, limit: int = 10) -> list[StatementUpload]:
    return list(StatementUpload.objects.filter(merchant=merchant, mode=mode).order_by("-created_at")[:limit])


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.1f} kB"


def statement_upload_progress(upload: StatementUpload) -> dict:
    """What the progress page and its JSON endpoint show: status, phase, bytes read and a readable line."""
    total = upload.size_bytes
    done, phase = 0, upload.status
    if upload.status == StatementUpload.Status.RUNNING:
        written = progress_read(progress_path(upload)) or {}
        done, phase = int(written.get("done_bytes") or 0), written.get("phase") or "importing"
        total = int(written.get("total_bytes") or total)
    elif upload.status == StatementUpload.Status.DONE:
        done = total
    percent = min(100, done * 100 // total) if total else (100 if upload.status == "done" else 0)
    return {"id": upload.id, "status": upload.status, "phase": phase, "done_bytes": done, "total_bytes": total,
            "percent": percent, "text": f"{_size(done)} of {_size(total)}, {percent} %",
            "finished": upload.status in (StatementUpload.Status.DONE, StatementUpload.Status.FAILED),
            "error": upload.error_message, "statement_id": upload.statement_id, "counts": upload.counts}
