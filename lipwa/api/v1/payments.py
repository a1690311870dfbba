"""/v1/payments: create, retrieve, list, cancel. No business logic: services and selectors do the work."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest
from ninja import Router, Status

from lipwa.common.errors import InvalidRequest
from lipwa.payments.actions import payment_submit_action
from lipwa.payments.presenters import payment_to_dict
from lipwa.payments.selectors import payment_get, payments_list
from lipwa.payments.services import payment_cancel, payment_create
from lipwa.testclocks.services import on_test_clock

from .schemas import ActionIn, ErrorOut, PaymentCreateIn, PaymentListOut, PaymentOut

router = Router(tags=["payments"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
STATUSES = ("pending", "requires_action", "processing", "succeeded", "failed", "cancelled", "expired")


@router.post("/payments", response={201: PaymentOut, **ERRORS}, summary="Create a payment")
def create_payment(request: HttpRequest, body: PaymentCreateIn):
    key = request.auth
    payment = on_test_clock(merchant=key.merchant, mode=key.mode, clock_id=body.test_clock, object_type="payment",
                            create=lambda: payment_create(
        merchant=key.merchant, mode=key.mode, amount=body.amount, currency=body.currency, method=body.method,
        provider=body.provider, phone=body.phone, network=body.network,
        customer=body.customer.model_dump(exclude_none=True) if body.customer else None,
        merchant_reference=body.merchant_reference or "", description=body.description or "",
        metadata=body.metadata, return_url=body.return_url or "", expires_in=body.expires_in,
        reuse_payment=body.reuse_payment,
    ))
    return Status(201, payment_to_dict(payment))


@router.get("/payments/{payment_id}", response={200: PaymentOut, **ERRORS}, summary="Retrieve a payment")
def get_payment(request: HttpRequest, payment_id: str):
    key = request.auth
    return payment_to_dict(payment_get(merchant=key.merchant, mode=key.mode, payment_id=payment_id))


@router.get("/payments", response={200: PaymentListOut, **ERRORS}, summary="List payments, newest first")
def list_payments(request: HttpRequest):
    """Query: `status`, `provider`, `created[gte]`, `created[lte]` (unix seconds), `limit` (1-100),
    `starting_after` (a payment id from the previous page)."""
    key = request.auth
    query = request.GET
    unknown = set(query) - {"status", "provider", "created[gte]", "created[lte]", "limit", "starting_after"}
    if unknown:
        raise InvalidRequest(f"unknown query parameter {sorted(unknown)[0]!r}", param=sorted(unknown)[0])
    status = query.get("status") or None
    if status and status not in STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}", param="status")
    page, has_more = payments_list(
        merchant=key.merchant, mode=key.mode, status=status, provider=query.get("provider") or None,
        created_gte=_unix_param(query, "created[gte]"), created_lte=_unix_param(query, "created[lte]"),
        starting_after=query.get("starting_after") or None, limit=_limit_param(query),
    )
    return {"object": "list", "data": [payment_to_dict(p) for p in page], "has_more": has_more}


@router.post("/payments/{payment_id}/cancel", response={200: PaymentOut, **ERRORS}, summary="Cancel a payment")
def cancel_payment(request: HttpRequest, payment_id: str):
    key = request.auth
    return payment_to_dict(payment_cancel(merchant=key.merchant, mode=key.mode, payment_id=payment_id))


@router.post("/payments/{payment_id}/submit_otp", response={200: PaymentOut, **ERRORS},
             summary="Pass on the OTP a payment's next_action (send_otp) asked the customer for")
def submit_otp(request: HttpRequest, payment_id: str, body: ActionIn):
    key = request.auth
    return payment_to_dict(payment_submit_action(merchant=key.merchant, mode=key.mode, payment_id=payment_id,
                                                 action="otp", value=body.otp))


def _unix_param(query, name: str) -> datetime | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 11:
        raise InvalidRequest(f"{name} must be a unix timestamp in seconds", param=name)
    return datetime.fromtimestamp(int(raw), tz=UTC)


def _limit_param(query) -> int:
    raw = query.get("limit") or "10"
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise InvalidRequest("limit must be an integer from 1 to 100", param="limit")
    return int(raw)
