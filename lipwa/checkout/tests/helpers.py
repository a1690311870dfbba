"""Shared helpers for the checkout tests."""

from __future__ import annotations

from lipwa.checkout.services import checkout_session_create
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.payments.results import attempt_apply_result


def new_session(merchant, **overrides):
    fields = {"amount": 150_000, "currency": "KES", "merchant_reference": "order-42", "description": "2 bags of rice"}
    fields.update(overrides)
    return checkout_session_create(merchant=merchant, mode="test", **fields)


def settle(payment, *, failure: str | None = None, receipt: str = "SIM123ABC"):
    """Apply the gateway's final answer to the payment's open attempt, as a callback would."""
    attempt = payment.attempts.order_by("-created_at").first()
    if failure:
        result = ChargeResult(ResultStatus.FAILED, failure_code=FailureCode(failure))
    else:
        result = ChargeResult(ResultStatus.SUCCEEDED, gateway_reference=f"ws_{attempt.id}", receipt_number=receipt)
    attempt_apply_result(attempt_id=attempt.id, source="callback", result=result)
    payment.refresh_from_db()
    return payment


def pdf_text(pdf: bytes) -> str:
    """Strings drawn in an uncompressed reportlab PDF appear as `(text) Tj`."""
    return pdf.decode("latin-1")
