"""/v1/riders and /v1/cash: cash on delivery. No business logic: lipwa.cash services and selectors do the work."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from lipwa.cash.photos import PHOTO_MAX_BYTES, photo_from_base64
from lipwa.cash.presenters import (
    assignment_to_dict,
    cash_up_to_dict,
    collection_to_dict,
    remittance_to_dict,
    rider_to_dict,
)
from lipwa.cash.selectors import cash_ups_list, rider_get, riders_list
from lipwa.cash.services import (
    cash_collection_record,
    cash_payment_assign,
    cash_remittance_record,
    cash_up_run,
    rider_create,
)
from lipwa.common.errors import InvalidRequest

from .schemas import ErrorOut

router = Router(tags=["cash on delivery"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class RiderCreateIn(StrictIn):
    name: StrictStr = Field(min_length=1, max_length=200)
    phone: StrictStr | None = Field(None, max_length=32)


class AssignIn(StrictIn):
    rider: StrictStr = Field(max_length=40)


class CollectionIn(StrictIn):
    payment: StrictStr = Field(max_length=40)
    rider: StrictStr = Field(max_length=40)
    receipt_number: StrictStr = Field(max_length=100)
    amount: StrictInt = Field(description="Minor units; must equal the payment's amount")
    customer_pin: StrictStr | None = Field(None, max_length=32)
    photo: StrictStr | None = Field(None, description=f"Base64 JPEG, PNG or WebP, at most {PHOTO_MAX_BYTES} bytes")
    photo_content_type: Literal["image/jpeg", "image/png", "image/webp"] | None = None


class RemittanceIn(StrictIn):
    rider: StrictStr = Field(max_length=40)
    amount: StrictInt
    currency: StrictStr = Field(min_length=3, max_length=3)
    reference: StrictStr = Field(max_length=100, description="Deposit slip or office receipt")


class CashUpIn(StrictIn):
    rider: StrictStr = Field(max_length=40)
    day: date


def _actor(request: HttpRequest) -> str:
    return f"api_key:{request.auth.id}"


@router.post("/riders", response={201: dict, **ERRORS}, summary="Add a rider or agent who collects cash")
def create_rider(request: HttpRequest, body: RiderCreateIn):
    key = request.auth
    rider = rider_create(merchant=key.merchant, mode=key.mode, name=body.name, phone=body.phone or "",
                         by=_actor(request))
    return Status(201, rider_to_dict(rider))


@router.get("/riders", response={200: dict, **ERRORS}, summary="List riders with the cash each holds")
def list_riders(request: HttpRequest):
    key = request.auth
    return {"object": "list", "data": [rider_to_dict(r) for r in riders_list(merchant=key.merchant, mode=key.mode)],
            "has_more": False}


@router.post("/payments/{payment_id}/assign_rider", response={200: dict, **ERRORS},
             summary="Give a cash-on-delivery payment to a rider")
def assign_rider(request: HttpRequest, payment_id: str, body: AssignIn):
    key = request.auth
    assignment = cash_payment_assign(payment_id=payment_id, rider_id=body.rider, by=_actor(request),
                                     merchant=key.merchant, mode=key.mode)
    return assignment_to_dict(assignment)


@router.post("/cash/collections", response={201: dict, **ERRORS}, summary="Record cash a rider collected")
def create_collection(request: HttpRequest, body: CollectionIn):
    key = request.auth
    photo = photo_from_base64(body.photo, body.photo_content_type) if body.photo is not None else None
    collection = cash_collection_record(
        payment_id=body.payment, rider_id=body.rider, receipt_number=body.receipt_number, amount_minor=body.amount,
        photo=photo, customer_pin=body.customer_pin, by=_actor(request), merchant=key.merchant, mode=key.mode)
    return Status(201, collection_to_dict(collection))


@router.post("/cash/remittances", response={201: dict, **ERRORS}, summary="Record cash a rider handed in")
def create_remittance(request: HttpRequest, body: RemittanceIn):
    key = request.auth
    remittance = cash_remittance_record(rider_id=body.rider, amount_minor=body.amount, currency=body.currency,
                                        reference=body.reference, received_by=_actor(request),
                                        merchant=key.merchant, mode=key.mode)
    return Status(201, remittance_to_dict(remittance))


@router.post("/cash/cash_ups", response={201: dict, **ERRORS},
             summary="Cash up a rider's day: collected against remitted, per currency")
def create_cash_up(request: HttpRequest, body: CashUpIn):
    key = request.auth
    cash_ups = cash_up_run(rider_id=body.rider, day=body.day, by=_actor(request), merchant=key.merchant,
                           mode=key.mode)
    return Status(201, {"object": "list", "data": [cash_up_to_dict(c) for c in cash_ups], "has_more": False})


@router.get("/cash/cash_ups", response={200: dict, **ERRORS}, summary="List cash-ups, newest day first")
def list_cash_ups(request: HttpRequest, rider: str | None = None, day: str | None = None):
    key = request.auth
    if rider:
        rider_get(merchant=key.merchant, mode=key.mode, rider_id=rider)
    parsed = None
    if day:
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise InvalidRequest("day must be a date such as 2026-11-25", param="day") from None
    cash_ups = cash_ups_list(merchant=key.merchant, mode=key.mode, rider_id=rider or None, day=parsed)
    return {"object": "list", "data": [cash_up_to_dict(c) for c in cash_ups], "has_more": False}
