"""Request and response schemas of API v1; strict, so that `"100"` or `10.5` is refused, not coerced."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, StrictStr


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(StrictSchema):
    name: StrictStr | None = Field(None, max_length=200)
    email: StrictStr | None = Field(None, max_length=254)
    phone: StrictStr | None = Field(None, max_length=32)


class PaymentCreateIn(StrictSchema):
    amount: StrictInt = Field(description="Integer minor units of `currency` (e.g. 10000 = KES 100.00)")
    currency: StrictStr = Field(min_length=3, max_length=3, description="ISO 4217 code, upper case")
    method: Literal["mobile_money", "card", "bank_transfer", "cash"]
    provider: StrictStr | None = Field(None, max_length=32, description="Connector id; routed if absent")
    phone: StrictStr | None = Field(None, max_length=32)
    network: StrictStr | None = Field(None, max_length=32,
                                      description="The payer's mobile network, when you know it better than the "
                                                  "number's prefix (ported numbers)")
    customer: CustomerIn | None = None
    merchant_reference: StrictStr | None = Field(None, max_length=200)
    description: StrictStr | None = Field(None, max_length=500)
    metadata: dict[StrictStr, StrictStr] | None = Field(None, max_length=50)
    return_url: StrictStr | None = Field(None, max_length=2000)
    expires_in: StrictInt | None = Field(None, description="Seconds until an unpaid payment expires")
    reuse_payment: StrictStr | None = Field(None, max_length=40,
                                            description="Charge the saved card of this earlier paid payment again, "
                                                        "without the customer (recurring premiums)")
    test_clock: StrictStr | None = Field(None, max_length=40,
                                         description="Test mode: a test clock (clock_…) whose time this payment "
                                                     "follows (POST /v1/test_clocks/{id}/advance)")


class ActionIn(StrictSchema):
    otp: StrictStr = Field(min_length=1, max_length=20, description="The code the customer received")


class PaymentOut(Schema):
    id: str
    object: str
    livemode: bool
    status: str
    amount: int
    amount_refunded: int
    currency: str
    method: str
    provider: str
    network: str | None
    network_candidates: list[str]
    retry_networks: list[str]
    fee: int
    phone: str | None
    customer: dict | None
    merchant_reference: str | None
    description: str | None
    metadata: dict
    return_url: str | None
    gateway_reference: str | None
    receipt_number: str | None
    next_action: dict | None
    failure_code: str | None
    failure_message: str | None
    needs_review: bool
    created: int
    updated: int
    expires_at: int
    succeeded_at: int | None


class PaymentListOut(Schema):
    object: str
    data: list[PaymentOut]
    has_more: bool


class ErrorBody(Schema):
    type: str
    code: str
    message: str
    param: str | None
    request_id: str | None


class ErrorOut(Schema):
    error: ErrorBody


class PhoneNetworkIn(StrictSchema):
    phone: StrictStr = Field(max_length=32, description="In international form, e.g. +255754123456")
    network: StrictStr = Field(max_length=32)


class PhoneNetworkOut(Schema):
    object: str
    phone: str
    country: str
    network: str | None
    source: str | None
    detected: list[str]
