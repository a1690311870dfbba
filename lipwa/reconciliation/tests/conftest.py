from __future__ import annotations

import pytest


@pytest.fixture
def bank_transfer(merchant):
    """Factory: a bank-transfer payment waiting (requires_action) for the customer's transfer."""
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create
    from lipwa.payments.services import payment_create

    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))

    def make(amount: int = 2_500_000, currency: str = "KES"):
        return payment_create(merchant=merchant, mode="test", amount=amount, currency=currency,
                              method="bank_transfer")

    return make


def equity_csv(*rows: tuple[str, str, str, str]) -> bytes:
    """An Equity-preset CSV from (date, narrative, reference, money in)."""
    lines = ["Transaction Date,Value Date,Narrative,Reference,Money In,Money Out,Balance"]
    lines += [f'{day},{day},{narrative},{reference},"{amount}",,' for day, narrative, reference, amount in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def gateway_payment(merchant):
    """Factory: a payment through a gateway's account (never called: its base URL is a closed port), left
    processing with an open attempt, or succeeded as the gateway would report it (ledger posted)."""
    from datetime import timedelta

    from lipwa.common import clock
    from lipwa.common.money import Money
    from lipwa.connectors.registry import connector_class
    from lipwa.connectors.types import ChargeResult, ResultStatus
    from lipwa.merchants.services import connector_account_create
    from lipwa.payments.models import PaymentAttempt
    from lipwa.payments.results import attempt_apply_result
    from lipwa.payments.services import payment_create

    accounts = {}

    def make(connector: str = "mtn_momo", *, amount: int = 50_000, currency: str = "UGX",
             phone: str = "+256772123456", fee: int = 0, receipt: str = "", gateway_reference: str = "",
             metadata: dict | None = None, succeed: bool = True):
        if connector not in accounts:
            accounts[connector] = connector_account_create(
                merchant=merchant, connector=connector, mode="test",
                credentials=connector_class(connector).simulator_credentials("http://127.0.0.1:9"))
        payment = payment_create(merchant=merchant, mode="test", amount=amount, currency=currency,
                                 method="card" if connector == "paystack" else "mobile_money", provider=connector,
                                 phone=phone, metadata=metadata, confirm=False)
        now = clock.now()
        attempt = PaymentAttempt.objects.create(
            payment=payment, connector_account=payment.connector_account, connector=payment.provider,
            gateway_reference=gateway_reference or None, amount_minor=amount, currency=currency,
            status="processing", next_sync_at=now + timedelta(seconds=10), created_at=now, updated_at=now)
        type(payment).objects.filter(id=payment.id).update(status="processing", fee_minor=fee,
                                                           gateway_reference=gateway_reference)
        if succeed:
            attempt_apply_result(attempt_id=attempt.id, source="callback", result=ChargeResult(
                ResultStatus.SUCCEEDED, gateway_reference=gateway_reference or None, receipt_number=receipt or None,
                amount=Money(amount, currency)))
        payment.refresh_from_db()
        return payment

    return make


def mtn_csv(*rows: tuple[str, str, str, str, str]) -> bytes:
    """An MTN MoMo export from (id, date, from msisdn, amount, fee) rows, all successful credits in UGX."""
    lines = ["Id,External Transaction Id,Date,Status,Type,From,To,Amount,Currency,Fee"]
    lines += [f'{id_},,{date},Successful,PAYMENT,FRI:{msisdn}/MSISDN,FRI:shop/USER,"{amount}",UGX,{fee}'
              for id_, date, msisdn, amount, fee in rows]
    return ("\n".join(lines) + "\n").encode()
