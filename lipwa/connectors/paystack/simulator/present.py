"""The simulator's records as Paystack's JSON (PROVIDERS.md 6.3, 6.4, 6.6), and their status at a moment.

Pure functions of a record and the time: a mobile-money charge becomes final when the clock passes its
`final_at`, so a status query agrees with the webhook without any background work.
"""

from __future__ import annotations

from datetime import UTC, datetime

from . import state
from .scenarios import PAY_OFFLINE_TEXT, VOUCHER_TEXT

ABANDONED_TEXT = "The transaction was not completed"  # (A) the text an unpaid checkout shows
INTEGRATION_ID = 100_032
# Fees are not modelled beyond a plausible number (P): 1.5 % of the amount, in subunits.
FEE_BASIS_POINTS = 150


def is_final(transaction: state.SimTransaction, now: datetime) -> bool:
    if transaction.stage == "final":
        return True
    return (transaction.stage == "pay_offline" and transaction.final_at is not None
            and now >= transaction.final_at)


def status_of(transaction: state.SimTransaction, now: datetime, *, charge_view: bool = False,
              refunded: int = 0) -> tuple[str, str]:
    """(status, gateway_response). The Charge API shows its step (`send_otp`, `pay_offline`, 6.4) where the
    Transaction shows `ongoing` (6.3); a fully refunded success reads `reversed` (6.3)."""
    if is_final(transaction, now):
        if transaction.final_status == "success" and refunded >= transaction.amount:
            return "reversed", transaction.gateway_response
        return transaction.final_status, transaction.gateway_response
    if transaction.stage == "initialized":
        return "abandoned", ABANDONED_TEXT
    if charge_view and transaction.stage in ("send_otp", "pay_offline"):
        return transaction.stage, ""
    return "ongoing", ""


def refunded_amount(reference: str, now: datetime) -> int:
    return sum(r.amount for r in state.refunds_for(reference) if refund_status(r, now) == "processed")


def transaction_json(transaction: state.SimTransaction, now: datetime, *, charge_view: bool = False,
                     force_final: bool = False) -> dict:
    """A Transaction; `force_final` shows the decided outcome whatever the clock says (for webhooks)."""
    if force_final and transaction.final_status:
        status, gateway_response = transaction.final_status, transaction.gateway_response
    else:
        status, gateway_response = status_of(transaction, now, charge_view=charge_view,
                                             refunded=refunded_amount(transaction.reference, now))
    paid = status in ("success", "reversed")
    body = {
        "id": transaction.id, "domain": "test", "status": status, "reference": transaction.reference,
        "amount": transaction.amount, "message": None, "gateway_response": gateway_response,
        "paid_at": iso(transaction.final_at) if paid and transaction.final_at else None,
        "created_at": iso(transaction.created_at), "channel": transaction.channel,
        "currency": transaction.currency, "ip_address": None,
        # Echoed as it came: an object, or a JSON string if it was sent as one (6.9); "" when absent.
        "metadata": transaction.metadata if transaction.metadata is not None else "",
        "log": None, "fees": transaction.amount * FEE_BASIS_POINTS // 10_000 if paid else None,
        "customer": {"id": 1000 + transaction.id % 100_000, "first_name": None, "last_name": None,
                     "email": transaction.email, "customer_code": transaction.customer_code, "phone": None,
                     "metadata": None, "risk_action": "default"},
        "authorization": transaction.authorization if paid else {},
        "plan": None, "requested_amount": transaction.amount,
    }
    if charge_view and status == "send_otp":
        body["display_text"] = VOUCHER_TEXT
    if charge_view and status == "pay_offline":
        body["display_text"] = PAY_OFFLINE_TEXT
    return body


def refund_status(refund: state.SimRefund, now: datetime) -> str:
    return refund.final_status if now >= refund.final_at else "pending"


def refund_json(refund: state.SimRefund, now: datetime, *, as_created: bool = False) -> dict:
    """A Refund; `as_created` shows it as `POST /refund` answers, always `pending` (refunds are asynchronous, 6.6)."""
    status = "pending" if as_created else refund_status(refund, now)
    transaction = state.transaction_get(refund.transaction_reference)
    return {
        "id": int(refund.id), "integration": INTEGRATION_ID, "domain": "test",
        "transaction": {"id": transaction.id if transaction else None, "reference": refund.transaction_reference,
                        "amount": transaction.amount if transaction else None, "currency": refund.currency},
        "dispute": None, "settlement": None, "amount": refund.amount, "deducted_amount": refund.amount,
        "currency": refund.currency, "channel": transaction.channel if transaction else None,
        "fully_deducted": True, "refunded_by": "simulator@lipwa", "status": status,
        "refunded_at": iso(refund.final_at) if status == "processed" else None,
        "expected_at": iso(refund.final_at), "merchant_note": refund.merchant_note,
        "customer_note": refund.customer_note, "created_at": iso(refund.created_at),
    }


def iso(moment: datetime) -> str:
    """`2016-09-30T21:10:19.000Z`, the form Paystack's samples use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

