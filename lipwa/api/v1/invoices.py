"""/v1/invoices and /v1/schedules. No business logic: lipwa.invoicing services and selectors do the work."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from lipwa.common.errors import InvalidRequest
from lipwa.invoicing.pdf import invoice_pdf
from lipwa.invoicing.presenters import invoice_to_dict, schedule_to_dict
from lipwa.invoicing.schedules import schedule_create
from lipwa.invoicing.selectors import invoice_get, invoices_list, schedule_get
from lipwa.invoicing.services import invoice_create, invoice_issue, invoice_pay_link, invoice_void
from lipwa.payments.presenters import payment_to_dict
from lipwa.testclocks.services import on_test_clock

from .schemas import CustomerIn, ErrorOut, PaymentOut

router = Router(tags=["invoices"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class LineIn(StrictIn):
    description: StrictStr = Field(max_length=500)
    # Any: the service checks it, so a float (never exact) gets the precise quantity error, not a union's.
    quantity: Any = Field(1, description="An integer, or a decimal string with at most 3 places such as \"1.5\"")
    unit_amount: StrictInt = Field(description="Minor units of the invoice's currency")
    tax_rate: StrictInt = Field(0, description="Basis points: 1600 is 16 %")


class InvoiceCreateIn(StrictIn):
    currency: StrictStr = Field(max_length=3)
    customer: CustomerIn | None = None
    description: StrictStr | None = Field(None, max_length=500)
    due_date: date
    lines: list[LineIn]


class PayIn(StrictIn):
    method: Literal["mobile_money", "card", "bank_transfer", "cash"] = "mobile_money"
    phone: StrictStr | None = Field(None, max_length=32, description="The customer's phone if absent")
    provider: StrictStr | None = Field(None, max_length=32)
    amount: StrictInt | None = Field(None, description="Minor units; everything still due if absent")


class InstalmentIn(StrictIn):
    due_date: date
    share: StrictInt | None = Field(None, description="Basis points of the total; equal parts if absent on all")


class ScheduleCreateIn(StrictIn):
    currency: StrictStr = Field(max_length=3)
    total: StrictInt = Field(description="Minor units, split exactly over the instalments")
    description: StrictStr = Field(min_length=1, max_length=400)
    customer: CustomerIn | None = None
    instalments: list[InstalmentIn]
    test_clock: StrictStr | None = Field(None, max_length=40,
                                         description="Test mode: a test clock whose time the schedule's reminders and "
                                                     "overdue marking follow")


@router.post("/invoices", response={201: dict, **ERRORS}, summary="Create a draft invoice")
def create_invoice(request: HttpRequest, body: InvoiceCreateIn):
    key = request.auth
    invoice = invoice_create(
        merchant=key.merchant, mode=key.mode, currency=body.currency, due_date=body.due_date,
        lines=[line.model_dump() for line in body.lines], description=body.description or "",
        customer=body.customer.model_dump(exclude_none=True) if body.customer else None)
    return Status(201, invoice_to_dict(invoice))


@router.post("/invoices/{invoice_id}/issue", response={200: dict, **ERRORS}, summary="Number and open a draft")
def issue_invoice(request: HttpRequest, invoice_id: str):
    key = request.auth
    return invoice_to_dict(invoice_issue(merchant=key.merchant, mode=key.mode, invoice_id=invoice_id))


@router.post("/invoices/{invoice_id}/void", response={200: dict, **ERRORS}, summary="Void an unpaid invoice")
def void_invoice(request: HttpRequest, invoice_id: str):
    key = request.auth
    return invoice_to_dict(invoice_void(merchant=key.merchant, mode=key.mode, invoice_id=invoice_id))


@router.post("/invoices/{invoice_id}/pay", response={201: PaymentOut, **ERRORS},
             summary="Create a payment for what the invoice still owes")
def pay_invoice(request: HttpRequest, invoice_id: str, body: PayIn):
    key = request.auth
    payment = invoice_pay_link(merchant=key.merchant, mode=key.mode, invoice_id=invoice_id, method=body.method,
                               phone=body.phone, provider=body.provider, amount=body.amount)
    return Status(201, payment_to_dict(payment))


@router.get("/invoices/{invoice_id}", response={200: dict, **ERRORS}, summary="Retrieve an invoice")
def get_invoice(request: HttpRequest, invoice_id: str):
    key = request.auth
    return invoice_to_dict(invoice_get(merchant=key.merchant, mode=key.mode, invoice_id=invoice_id))


@router.get("/invoices/{invoice_id}/pdf", response={200: None, **ERRORS}, summary="The invoice as a PDF")
def get_invoice_pdf(request: HttpRequest, invoice_id: str):
    key = request.auth
    invoice = invoice_get(merchant=key.merchant, mode=key.mode, invoice_id=invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number or invoice.id}.pdf"'
    return response


@router.get("/invoices", response={200: dict, **ERRORS}, summary="List invoices, newest first")
def list_invoices(request: HttpRequest, status: str | None = None, limit: int = 10,
                  starting_after: str | None = None):
    if not 1 <= limit <= 100:
        raise InvalidRequest("limit must be an integer from 1 to 100", param="limit")
    key = request.auth
    page, has_more = invoices_list(merchant=key.merchant, mode=key.mode, status=status, limit=limit,
                                   starting_after=starting_after)
    return {"object": "list", "data": [invoice_to_dict(i) for i in page], "has_more": has_more}


@router.post("/schedules", response={201: dict, **ERRORS}, summary="Create an instalment plan")
def create_schedule(request: HttpRequest, body: ScheduleCreateIn):
    key = request.auth
    schedule = on_test_clock(merchant=key.merchant, mode=key.mode, clock_id=body.test_clock, object_type="schedule",
                             create=lambda: schedule_create(
        merchant=key.merchant, mode=key.mode, currency=body.currency, total=body.total,
        description=body.description, instalments=[i.model_dump() for i in body.instalments],
        customer=body.customer.model_dump(exclude_none=True) if body.customer else None))
    return Status(201, schedule_to_dict(schedule))


@router.get("/schedules/{schedule_id}", response={200: dict, **ERRORS}, summary="Retrieve an instalment plan")
def get_schedule(request: HttpRequest, schedule_id: str):
    key = request.auth
    return schedule_to_dict(schedule_get(merchant=key.merchant, mode=key.mode, schedule_id=schedule_id))
