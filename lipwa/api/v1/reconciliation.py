"""/v1/reconciliation: statement upload, reconciliation and the result. lipwa.reconciliation does the work."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from lipwa.common.errors import InvalidRequest
from lipwa.reconciliation.presenters import statement_to_dict
from lipwa.reconciliation.selectors import statement_get
from lipwa.reconciliation.services import statement_import, statement_reconcile

from .schemas import ErrorOut

router = Router(tags=["reconciliation"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("/reconciliation/statements", response={201: dict, **ERRORS},
             summary="Upload a statement (multipart: file, format, preset?, currency?); all lines or none")
def upload_statement(request: HttpRequest, file: File[UploadedFile] = None, format: Form[str] = "",
                     preset: Form[str | None] = None, currency: Form[str | None] = None):
    key = request.auth
    # Checked here rather than by the schema, so the error names the form field itself ("file", "format").
    if file is None:
        raise InvalidRequest("send the statement as the multipart field 'file'", param="file", code="file_required")
    if not format:
        raise InvalidRequest("say the statement's format: mpesa_csv, bank_csv, mt940 or camt053", param="format",
                             code="format_required")
    if not file.size:
        raise InvalidRequest("the file is empty", param="file", code="statement_invalid")
    statement = statement_import(merchant=key.merchant, mode=key.mode, format=format, filename=file.name or "upload",
                                 data=file.read(), preset=preset or None, currency=currency or None,
                                 imported_by=f"api_key:{key.id}")
    return Status(201, statement_to_dict(statement))


@router.post("/reconciliation/statements/{statement_id}/reconcile", response={200: dict, **ERRORS},
             summary="Match the statement's lines to payments and open discrepancies")
def reconcile_statement(request: HttpRequest, statement_id: str, window_minutes: int = 30):
    key = request.auth
    statement = statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id)
    statement_reconcile(statement=statement, window_minutes=window_minutes)
    return statement_to_dict(statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id))


@router.get("/reconciliation/statements/{statement_id}", response={200: dict, **ERRORS},
            summary="A statement with its counts, matches and discrepancies")
def get_statement(request: HttpRequest, statement_id: str):
    key = request.auth
    return statement_to_dict(statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id))
