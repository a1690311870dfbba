"""/v1/reconciliation: statement upload, reconciliation and the result. lipwa.reconciliation does the work."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, Field, StrictStr

from lipwa.common.errors import InvalidRequest
from lipwa.invoicing.selectors import invoice_get
from lipwa.payments.selectors import payment_get
from lipwa.reconciliation.attach import attach_unmatched_line
from lipwa.reconciliation.presenters import discrepancy_to_dict, statement_to_dict
from lipwa.reconciliation.report import report_csv, report_pdf
from lipwa.reconciliation.resolutions import resolve_discrepancy
from lipwa.reconciliation.selectors import discrepancy_get, review_queue, statement_get, statement_line_get
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
        raise InvalidRequest("say the statement's format: mpesa_csv, mtn_momo_csv, airtel_csv, paystack_csv, "
                             "paynow_csv, bank_csv, mt940 or camt053", param="format", code="format_required")
    if not file.size:
        raise InvalidRequest("the file is empty", param="file", code="statement_invalid")
    statement = statement_import(merchant=key.merchant, mode=key.mode, format=format, filename=file.name or "upload",
                                 stream=file.file, preset=preset or None, currency=currency or None,
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


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class ResolveIn(StrictIn):
    action: Literal["accept_statement", "write_off", "mark_reviewed"]
    note: StrictStr = Field("", max_length=1000)


class AttachIn(StrictIn):
    payment: StrictStr | None = Field(None, max_length=40)
    invoice: StrictStr | None = Field(None, max_length=40)


@router.get("/reconciliation/discrepancies", response={200: dict, **ERRORS},
            summary="The review queue: open and reviewed discrepancies (or ?status=), newest first")
def list_discrepancies(request: HttpRequest, status: str | None = None, kind: str | None = None,
                       statement: str | None = None, limit: int = 50, starting_after: str | None = None):
    key = request.auth
    page, has_more = review_queue(key.merchant, mode=key.mode, status=status, kind=kind, statement_id=statement,
                                  limit=limit, starting_after=starting_after)
    return {"object": "list", "data": [discrepancy_to_dict(d) for d in page], "has_more": has_more}


@router.get("/reconciliation/discrepancies/{discrepancy_id}", response={200: dict, **ERRORS},
            summary="A discrepancy")
def get_discrepancy(request: HttpRequest, discrepancy_id: str):
    key = request.auth
    return discrepancy_to_dict(discrepancy_get(merchant=key.merchant, mode=key.mode, discrepancy_id=discrepancy_id))


@router.post("/reconciliation/discrepancies/{discrepancy_id}/resolve", response={200: dict, **ERRORS},
             summary="accept_statement (post the correction), write_off (note required) or mark_reviewed")
def resolve(request: HttpRequest, discrepancy_id: str, body: ResolveIn):
    key = request.auth
    found = discrepancy_get(merchant=key.merchant, mode=key.mode, discrepancy_id=discrepancy_id)
    return discrepancy_to_dict(resolve_discrepancy(found, action=body.action, actor=f"api_key:{key.id}",
                                                   note=body.note))


@router.post("/reconciliation/statements/{statement_id}/lines/{line_number}/attach", response={200: dict, **ERRORS},
             summary="Attach an unmatched credit line to a payment or an invoice, applying the money")
def attach_line(request: HttpRequest, statement_id: str, line_number: int, body: AttachIn):
    key = request.auth
    statement = statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id)
    line = statement_line_get(statement=statement, line_number=line_number)
    if (body.payment is None) == (body.invoice is None):
        raise InvalidRequest("give exactly one of payment and invoice", param="payment", code="target_required")
    payment = payment_get(merchant=key.merchant, mode=key.mode, payment_id=body.payment) if body.payment else None
    invoice = invoice_get(merchant=key.merchant, mode=key.mode, invoice_id=body.invoice) if body.invoice else None
    attach_unmatched_line(line, payment=payment, invoice=invoice, actor=f"api_key:{key.id}")
    return statement_to_dict(statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id))


@router.get("/reconciliation/statements/{statement_id}/report.csv", response={200: None, **ERRORS},
            summary="The statement's reconciliation report as CSV")
def get_report_csv(request: HttpRequest, statement_id: str):
    key = request.auth
    statement = statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id)
    response = HttpResponse(report_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statement.id}-report.csv"'
    return response


@router.get("/reconciliation/statements/{statement_id}/report.pdf", response={200: None, **ERRORS},
            summary="The statement's reconciliation report as PDF")
def get_report_pdf(request: HttpRequest, statement_id: str):
    key = request.auth
    statement = statement_get(merchant=key.merchant, mode=key.mode, statement_id=statement_id)
    response = HttpResponse(report_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.id}-report.pdf"'
    return response
