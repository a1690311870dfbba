"""Background work of the dashboard: importing an uploaded statement (see uploads.py)."""

from __future__ import annotations

from django_tasks import task

from .uploads import statement_upload_run


@task(queue_name="default")
def statement_upload_import(upload_id: str) -> str | None:
    upload = statement_upload_run(upload_id)
    return upload.status if upload else None
