"""/v1/refunds: request a refund and follow it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from lipwa.common.errors import InvalidRequest
from lipwa.payments.presenters import refund_to_dict
from lipwa.payments.refunds import refund_create
from lipwa.payments.selectors import refund_get, refunds_list

from .schemas import ErrorOut

router = Router(tags=["refunds"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class RefundCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    payment: StrictStr = Field(max_length=40, description="The id of a succeeded payment")
    amount: StrictInt | None = Field(None, description="Minor units; the whole refundable remainder if absent")
    reason: StrictStr | None = Field(None, max_length=500)


@router.post("/refunds", response={201: dict, **ERRORS}, summary="Refund a payment, fully or partly")
def create_refund(request: HttpRequest, body: RefundCreateIn):
    key = request.auth
    refund = refund_create(merchant=key.merchant, mode=key.mode, payment_id=body.payment, amount=body.amount,
                           reason=body.reason or "", requested_by=f"api_key:{key.id}")
    return Status(201, refund_to_dict(refund))


@router.get("/refunds/{refund_id}", response={200: dict, **ERRORS}, summary="Retrieve a refund")
def get_refund(request: HttpRequest, refund_id: str):
    key = request.auth
    return refund_to_dict(refund_get(merchant=key.merchant, mode=key.mode, refund_id=refund_id))


@router.get("/refunds", response={200: dict, **ERRORS}, summary="List refunds, newest first")
def list_refunds(request: HttpRequest, payment: str | None = None, limit: int = 10,
                 starting_after: str | None = None):
    if not 1 <= limit <= 100:
        raise InvalidRequest("limit must be an integer from 1 to 100", param="limit")
    key = request.auth
    page, has_more = refunds_list(merchant=key.merchant, mode=key.mode, payment_id=payment, limit=limit,
                                  starting_after=starting_after)
    return {"object": "list", "data": [refund_to_dict(r) for r in page], "has_more": has_more}
