"""/v1/checkout_sessions: a link to lipwa's hosted payment page; and /v1/payments/{id}/receipt (PDF)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Status
from pydantic import StrictInt, StrictStr

from lipwa.checkout.presenters import checkout_session_to_dict
from lipwa.checkout.receipts import receipt_pdf
from lipwa.checkout.selectors import checkout_session_get
from lipwa.checkout.services import checkout_session_create
from lipwa.payments.selectors import payment_get

from .schemas import CustomerIn, ErrorOut, StrictSchema

router = Router(tags=["checkout"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CheckoutSessionCreateIn(StrictSchema):
    amount: StrictInt = Field(description="Integer minor units of `currency`")
    currency: StrictStr = Field(min_length=3, max_length=3)
    methods: list[Literal["mobile_money", "card", "bank_transfer", "cash"]] | None = Field(
        None, max_length=4, description="Offer only these; default: every method you have an account for")
    merchant_reference: StrictStr | None = Field(None, max_length=200)
    description: StrictStr | None = Field(None, max_length=500)
    customer: CustomerIn | None = None
    return_url: StrictStr | None = Field(None, max_length=2000)
    expires_in: StrictInt | None = Field(None, description="Seconds the link stays payable (default 24 h)")


class CheckoutSessionOut(StrictSchema):
    id: str
    object: str
    livemode: bool
    url: str
    status: str
    amount: int
    currency: str
    methods: list[str] | None
    merchant_reference: str | None
    description: str | None
    customer: dict | None
    return_url: str | None
    payment: str | None
    payment_status: str | None
    created: int
    expires_at: int


@router.post("/checkout_sessions", response={201: CheckoutSessionOut, **ERRORS},
             summary="Create a checkout session (a hosted payment page)")
def create_checkout_session(request: HttpRequest, body: CheckoutSessionCreateIn):
    key = request.auth
    session = checkout_session_create(
        merchant=key.merchant, mode=key.mode, amount=body.amount, currency=body.currency, methods=body.methods,
        merchant_reference=body.merchant_reference or "", description=body.description or "",
        customer=body.customer.model_dump(exclude_none=True) if body.customer else None,
        return_url=body.return_url or "", expires_in=body.expires_in)
    return Status(201, checkout_session_to_dict(session))


@router.get("/checkout_sessions/{session_id}", response={200: CheckoutSessionOut, **ERRORS},
            summary="Retrieve a checkout session")
def get_checkout_session(request: HttpRequest, session_id: str):
    key = request.auth
    return checkout_session_to_dict(checkout_session_get(merchant=key.merchant, mode=key.mode,
                                                         session_id=session_id))


@router.get("/payments/{payment_id}/receipt", response={200: None, **ERRORS},
            summary="A successful payment's receipt, as a PDF")
def get_payment_receipt(request: HttpRequest, payment_id: str):
    key = request.auth
    payment = payment_get(merchant=key.merchant, mode=key.mode, payment_id=payment_id)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{payment.id}.pdf"'
    return response
