"""The shapes of lipwa's objects. They are plain dicts of the API's JSON, so fields added later stay
readable (`payment["new_field"]`); the keys listed here are the ones code usually needs."""

from __future__ import annotations

from typing import Any, TypedDict


class Payment(TypedDict, total=False):
    id: str
    object: str
    livemode: bool
    status: str
    amount: int  # integer minor units of `currency`
    currency: str
    method: str
    provider: str | None
    phone: str | None
    merchant_reference: str | None
    receipt_number: str | None
    next_action: dict[str, Any] | None
    metadata: dict[str, Any]
    created: int


class Refund(TypedDict, total=False):
    id: str
    object: str
    payment: str
    status: str
    amount: int
    currency: str
    reason: str | None
    created: int


class Payout(TypedDict, total=False):
    id: str
    object: str
    status: str
    amount: int
    currency: str
    phone: str
    provider: str | None
    created: int


class Event(TypedDict, total=False):
    id: str
    object: str
    type: str
    created: int
    livemode: bool
    data: dict[str, Any]


class WebhookEndpoint(TypedDict, total=False):
    id: str
    object: str
    url: str
    enabled_events: list[str]
    status: str
    secret: str  # only in the answers to create and rotate_secret
    description: str | None
    created: int


class CheckoutSession(TypedDict, total=False):
    id: str
    object: str
    url: str
    status: str
    amount: int
    currency: str
    payment: str | None
    expires_at: int


class Invoice(TypedDict, total=False):
    id: str
    object: str
    number: str | None
    status: str
    currency: str
    total: int
    amount_due: int
    due_date: str


class Balance(TypedDict, total=False):
    object: str
    livemode: bool
    balances: list[dict[str, Any]]  # per currency: available, pending, reserved, fees (minor units)


class Schedule(TypedDict, total=False):
    id: str
    object: str
    status: str  # active | paid
    currency: str
    total: int
    amount_paid: int
    amount_due: int
    instalments: list[Invoice]


class Statement(TypedDict, total=False):
    id: str
    object: str
    format: str
    counts: dict[str, int]
    matches: list[dict[str, Any]]
    discrepancies: list[dict[str, Any]]
