"""Succeeded gateway payments on a chosen connector account, and gateway settlement exports, for the
settlement tests (plain functions: a hypothesis example calls them many times in one test)."""

from __future__ import annotations

from datetime import timedelta

from lipwa.common import clock
from lipwa.common.money import Money
from lipwa.connectors.registry import connector_class
from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.ledger.codes import AccountKind
from lipwa.ledger.models import LedgerAccount
from lipwa.merchants.models import ConnectorAccount
from lipwa.merchants.services import connector_account_create
from lipwa.payments.models import PaymentAttempt, PaymentIntent
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.services import payment_create

PHONES = {"paystack": "+2348031234567", "mpesa": "+254712345678", "mtn_momo": "+256772123456"}


def gateway_account(merchant, connector: str) -> ConnectorAccount:
    """A test-mode account of the gateway, pointed at a closed port: nothing is ever sent to it."""
    return connector_account_create(merchant=merchant, connector=connector, mode="test",
                                    credentials=connector_class(connector).simulator_credentials("http://127.0.0.1:9"))


def succeeded_payment(merchant, account: ConnectorAccount, *, amount: int, fee: int, currency: str) -> PaymentIntent:
    """A payment charged through `account` and reported succeeded by its gateway (CHARGE and FEE posted to
    that account's clearing account by the core)."""
    payment = payment_create(merchant=merchant, mode="test", amount=amount, currency=currency,
                             method="card" if account.connector == "paystack" else "mobile_money",
                             provider=account.connector, phone=PHONES[account.connector], confirm=False)
    PaymentIntent.objects.filter(id=payment.id).update(status="processing", fee_minor=fee, connector_account=account)
    now = clock.now()
    attempt = PaymentAttempt.objects.create(
        payment=payment, connector_account=account, connector=account.connector, amount_minor=amount,
        currency=currency, status="processing", next_sync_at=now + timedelta(seconds=10), created_at=now,
        updated_at=now)
    attempt_apply_result(attempt_id=attempt.id, source="callback",
                         result=ChargeResult(ResultStatus.SUCCEEDED, amount=Money(amount, currency)))
    payment.refresh_from_db()
    return payment


def major(amount_minor: int) -> str:
    return f'"{amount_minor // 100:,}.{amount_minor % 100:02d}"'


def paystack_settlements(*rows: tuple[str, str, int, int]) -> bytes:
    """A Paystack settlements export from (settlement id, date, total amount, total fees) in kobo, in NGN."""
    lines = ["Settlement ID,Settlement Date,Status,Currency,Total Amount,Total Fees,Settled Amount,Transactions,"
             "Bank,Account Number"]
    lines += [f"{id_},{day},success,NGN,{major(total)},{major(fees)},{major(total - fees)},1,Guaranty Trust Bank,"
              "0123456789" for id_, day, total, fees in rows]
    return ("\n".join(lines) + "\n").encode()


def ledger_account(merchant, kind: AccountKind, reference: str = "", currency: str = "NGN") -> LedgerAccount | None:
    return LedgerAccount.objects.filter(merchant=merchant, mode="test", currency=currency, kind=kind,
                                        reference=reference).first()
