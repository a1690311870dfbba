"""Ledger rules: balanced, append-only, idempotent by id, no overdraft where forbidden, holds post or void."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from lipwa.common import clock
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.models import LedgerAccount, Transfer
from lipwa.ledger.selectors import account_statement, balance_get, ledger_verify
from lipwa.ledger.services import (
    LedgerError,
    account_ensure,
    pending_transfers_expire_due,
    transfer_create,
    transfer_resolve_pending,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(merchant):
    def make(kind, currency="KES", reference=""):
        return account_ensure(merchant=merchant, mode="test", currency=currency, kind=kind, reference=reference)

    return {"clearing": make(AccountKind.GATEWAY_CLEARING, reference="ca_1"),
            "available": make(AccountKind.MERCHANT_AVAILABLE), "fees": make(AccountKind.FEES),
            "payable": make(AccountKind.REFUNDS_PAYABLE), "ugx": make(AccountKind.MERCHANT_AVAILABLE, "UGX")}


def move(accounts, transfer_id, debit, credit, amount, **kwargs):
    return transfer_create(transfer_id=transfer_id, debit=accounts[debit], credit=accounts[credit],
                           amount_minor=amount, code=kwargs.pop("code", TransferCode.CHARGE), **kwargs)


def test_a_charge_and_its_fee(accounts, merchant):
    move(accounts, "t1", "clearing", "available", 10000)
    move(accounts, "t2", "available", "fees", 150, code=TransferCode.FEE)
    assert balance_get(merchant=merchant, mode="test")["balances"][0] == {
        "currency": "KES", "available": 9850, "pending": 0, "reserved": 0, "fees": 150}
    assert [r["balance"] for r in account_statement(account=accounts["available"])] == [10000, 9850]
    assert ledger_verify() == []


def test_same_id_same_transfer_is_idempotent_and_different_transfer_is_refused(accounts):
    first = move(accounts, "t1", "clearing", "available", 10000)
    assert move(accounts, "t1", "clearing", "available", 10000).pk == first.pk
    with pytest.raises(LedgerError) as refused:
        move(accounts, "t1", "clearing", "available", 999)
    assert refused.value.code == "transfer_id_reused"
    assert Transfer.objects.count() == 1
    assert LedgerAccount.objects.get(id=accounts["available"].id).credits_posted == 10000


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_bad_amounts(accounts, amount):
    with pytest.raises(LedgerError):
        move(accounts, "bad", "clearing", "available", amount)
    assert Transfer.objects.count() == 0


def test_accounts_in_different_currencies_cannot_meet(accounts):
    with pytest.raises(LedgerError) as refused:
        move(accounts, "x", "clearing", "ugx", 100)
    assert refused.value.code == "accounts_mismatch"


def test_no_overdraft_of_merchant_available(accounts):
    move(accounts, "t1", "clearing", "available", 100)
    with pytest.raises(LedgerError) as refused:
        move(accounts, "t2", "available", "fees", 101, code=TransferCode.FEE)
    assert refused.value.code == "insufficient_balance"
    assert LedgerAccount.objects.get(id=accounts["available"].id).debits_posted == 0


def test_the_database_refuses_what_python_would(accounts):
    """Constraints hold even for code that bypasses the services."""
    available = accounts["available"]
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(id=available.id).update(debits_posted=5)  # overdraft of a no-overdraft account
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(id="raw", debit_account=available, credit_account=available, amount_minor=1,
                                currency="KES", code="CHARGE", status="posted", created_at=clock.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(id="raw2", debit_account=accounts["clearing"], credit_account=available,
                                amount_minor=0, currency="KES", code="CHARGE", status="posted",
                                created_at=clock.now())
    move(accounts, "dup", "clearing", "available", 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(id="dup", debit_account=accounts["clearing"], credit_account=available,
                                amount_minor=10, currency="KES", code="CHARGE", status="posted",
                                created_at=clock.now())


def test_transfers_are_append_only(accounts):
    transfer = move(accounts, "t1", "clearing", "available", 100)
    with pytest.raises(ValueError):
        transfer.save()
    with pytest.raises(ValueError):
        transfer.delete()


def test_hold_then_post(accounts, merchant):
    move(accounts, "t1", "clearing", "available", 1000)
    move(accounts, "h1", "available", "payable", 400, code=TransferCode.REFUND_HOLD, pending=True)
    balance = balance_get(merchant=merchant, mode="test")["balances"][0]
    assert (balance["available"], balance["reserved"]) == (600, 400)
    with pytest.raises(LedgerError):  # the hold counts against the floor
        move(accounts, "t2", "available", "fees", 601, code=TransferCode.FEE)
    transfer_resolve_pending(transfer_id="h1:post", pending_id="h1", post=True)
    transfer_resolve_pending(transfer_id="h1:post", pending_id="h1", post=True)  # repeat: same row
    with pytest.raises(LedgerError) as refused:
        transfer_resolve_pending(transfer_id="h1:void", pending_id="h1", post=False)
    assert refused.value.code == "already_resolved"
    balance = balance_get(merchant=merchant, mode="test")["balances"][0]
    assert (balance["available"], balance["reserved"]) == (600, 0)
    assert ledger_verify() == []


def test_hold_expires_by_timeout(accounts, merchant):
    move(accounts, "t1", "clearing", "available", 1000)
    move(accounts, "h1", "available", "payable", 400, code=TransferCode.REFUND_HOLD, pending=True,
         timeout_at=clock.now() + timedelta(hours=1))
    assert pending_transfers_expire_due() == 0
    clock.advance(3601)
    assert pending_transfers_expire_due() == 1
    assert balance_get(merchant=merchant, mode="test")["balances"][0]["available"] == 1000
    assert ledger_verify() == []


def test_verify_reports_drift(accounts):
    move(accounts, "t1", "clearing", "available", 1000)
    LedgerAccount.objects.filter(id=accounts["available"].id).update(credits_posted=1001)
    problems = ledger_verify()
    assert any("credits_posted" in p for p in problems) and any("nets to" in p for p in problems)
