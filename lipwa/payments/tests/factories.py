"""Test helpers that build payments in the state payment_confirm leaves them just before the gateway call."""

from __future__ import annotations

from datetime import timedelta

from lipwa.common import clock
from lipwa.merchants.services import connector_account_create
from lipwa.payments.models import PaymentAttempt
from lipwa.payments.services import payment_create

SIM_CREDENTIALS = {"base_url": "http://127.0.0.1:9/simulators/mpesa", "consumer_key": "sim_key",
                   "consumer_secret": "sim_secret", "shortcode": "174379",
                   "passkey": "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"}


def unreachable_mpesa_account(merchant):
    """An account whose gateway is a closed port: for tests that apply results without calling out."""
    return connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=SIM_CREDENTIALS)


def payment_with_attempt(merchant, *, amount_minor: int = 10000, phone: str = "+254712345678", expires_in=900):
    payment = payment_create(merchant=merchant, mode="test", amount=amount_minor, currency="KES",
                             method="mobile_money", provider="mpesa", phone=phone, expires_in=expires_in,
                             confirm=False)
    now = clock.now()
    attempt = PaymentAttempt.objects.create(
        payment=payment, connector_account=payment.connector_account, connector=payment.provider,
        amount_minor=payment.amount_minor, currency=payment.currency, outcome_unknown=True,
        next_sync_at=now + timedelta(seconds=10), created_at=now, updated_at=now)
    payment.status = "processing"  # as payment_confirm leaves it
    payment.save(update_fields=["status"])
    return payment, attempt


def succeeded_payment(merchant, *, amount_minor: int = 10000, fee_minor: int = 0):
    """A payment whose attempt the gateway reported successful (ledger posted, as in production)."""
    from lipwa.connectors.types import ChargeResult, ResultStatus
    from lipwa.payments.results import attempt_apply_result

    payment, attempt = payment_with_attempt(merchant, amount_minor=amount_minor)
    if fee_minor:
        payment.fee_minor = fee_minor
        payment.save(update_fields=["fee_minor"])
    attempt_apply_result(attempt_id=attempt.id, source="callback", result=ChargeResult(
        ResultStatus.SUCCEEDED, gateway_reference=f"ws_CO_{attempt.id}", receipt_number="RCPT000001"))
    payment.refresh_from_db()
    return payment
