"""/v1/payouts: send money from the merchant's balance to a mobile wallet."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from lipwa.payouts.services import payout_create, payout_get, payout_to_dict

from .schemas import ErrorOut

router = Router(tags=["payouts"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PayoutCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: StrictInt = Field(description="Minor units")
    currency: StrictStr = Field(min_length=3, max_length=3)
    phone: StrictStr = Field(max_length=32, description="The recipient's wallet")
    provider: StrictStr | None = Field(None, max_length=32)
    network: StrictStr | None = Field(None, max_length=32)
    recipient_name: StrictStr | None = Field(None, max_length=200)
    description: StrictStr | None = Field(None, max_length=300)
    merchant_reference: StrictStr | None = Field(None, max_length=200)


@router.post("/payouts", response={201: dict, **ERRORS}, summary="Pay out to a mobile wallet")
def create_payout(request: HttpRequest, body: PayoutCreateIn):
    key = request.auth
    payout = payout_create(merchant=key.merchant, mode=key.mode, amount=body.amount, currency=body.currency,
                           phone=body.phone, provider=body.provider, network=body.network,
                           recipient_name=body.recipient_name or "", description=body.description or "",
                           merchant_reference=body.merchant_reference or "", requested_by=f"api_key:{key.id}")
    return Status(201, payout_to_dict(payout))


@router.get("/payouts/{payout_id}", response={200: dict, **ERRORS}, summary="Retrieve a payout")
def get_payout(request: HttpRequest, payout_id: str):
    key = request.auth
    return payout_to_dict(payout_get(merchant=key.merchant, mode=key.mode, payout_id=payout_id))
