"""Ledger writes. Call them inside the caller's transaction (the state change that moves the money).

Lock order: ledger accounts are locked in ascending id order, after any payment and refund rows the
caller holds (payment → attempts → refunds → ledger accounts). Balances are checked after the change
against each account's overdraft flag, and the database constraints check them again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from lipwa.common import clock
from lipwa.common.fixed_sql import row_insert, row_update, rows_select
from lipwa.merchants.models import Merchant

from .codes import NO_OVERDRAFT_KINDS, AccountKind, TransferCode, TransferStatus
from .models import LedgerAccount, Transfer


class LedgerError(Exception):
    """A transfer the ledger refuses (unbalanced currencies, overdraft, bad pending reference)."""

    def __init__(self, message: str, code: str = "ledger_refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def account_ensure(*, merchant: Merchant | str, mode: str, currency: str, kind: AccountKind,
                   reference: str = "") -> LedgerAccount:
    merchant_id = merchant if isinstance(merchant, str) else merchant.id
    lookup = {"merchant_id": merchant_id, "mode": mode, "currency": currency, "kind": kind.value,
              "reference": reference}
    found = _account_find(lookup)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(**lookup, flag=NO_OVERDRAFT_KINDS.get(kind, ""),
                                                created_at=clock.now())
    except IntegrityError:  # created concurrently: use that one
        return _account_find(lookup)


def _account_find(lookup: dict) -> LedgerAccount | None:
    # Fixed SQL: every posting looks its accounts up by this unique key, and the ORM compiled it each time.
    found = rows_select(LedgerAccount, "t.merchant_id = %s AND t.mode = %s AND t.currency = %s AND t.kind = %s "
                        "AND t.reference = %s", [lookup["merchant_id"], lookup["mode"], lookup["currency"],
                                                 lookup["kind"], lookup["reference"]])
    return found[0] if found else None


def transfer_create(*, transfer_id: str, debit: LedgerAccount, credit: LedgerAccount, amount_minor: int,
                    code: TransferCode, pending: bool = False, timeout_at: datetime | None = None,
                    payment_id: str = "", refund_id: str = "", description: str = "") -> Transfer:
    """Post (or, with pending=True, reserve) one transfer. Repeating an identical transfer id returns the
    first transfer; reusing the id for a different transfer is refused."""
    refusal = _refusal(debit, credit, amount_minor)
    if refusal is not None:
        existing = _transfer_find(transfer_id)
        if existing is not None:
            return _same_or_refuse(existing, debit, credit, amount_minor, code)
        raise refusal
    # The transfer is inserted before anything else is written: its id is the primary key, so a repeat fails
    # there (and the savepoint undoes the attempt) instead of every transfer paying for a look-up first.
    try:
        with transaction.atomic():
            debit, credit = _lock(debit.id, credit.id)
            status = TransferStatus.PENDING if pending else TransferStatus.POSTED
            transfer = Transfer(id=transfer_id, debit_account=debit, credit_account=credit,
                                amount_minor=amount_minor, currency=debit.currency, code=code.value,
                                status=status.value, timeout_at=timeout_at if pending else None,
                                payment_id=payment_id, refund_id=refund_id, description=description[:300],
                                created_at=clock.now())
            row_insert(transfer)  # insert-only, as Transfer.save() insists
            side = "pending" if pending else "posted"
            _add(debit, f"debits_{side}", amount_minor)
            _add(credit, f"credits_{side}", amount_minor)
            _check_floor(debit)
            _check_floor(credit)
            # Only the balance columns change; a full-row UPDATE costs several times the SQL to build.
            row_update(debit, [f"debits_{side}"])
            row_update(credit, [f"credits_{side}"])
    except IntegrityError:
        existing = _transfer_find(transfer_id)
        if existing is None:
            raise
        return _same_or_refuse(existing, debit, credit, amount_minor, code)
    return transfer


def _refusal(debit: LedgerAccount, credit: LedgerAccount, amount_minor: object) -> LedgerError | None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        return LedgerError(f"transfer amount must be a positive integer, got {amount_minor!r}", "amount_invalid")
    if debit.id == credit.id:
        return LedgerError("a transfer needs two different accounts", "same_account")
    if debit.currency != credit.currency or debit.merchant_id != credit.merchant_id or debit.mode != credit.mode:
        return LedgerError(f"accounts {debit.id} ({debit.currency}) and {credit.id} ({credit.currency}) cannot be "
                           "in one transfer: currency, merchant and mode must match", "accounts_mismatch")
    return None


def _transfer_find(transfer_id: str) -> Transfer | None:
    return Transfer.objects.filter(id=transfer_id).first()


def transfer_resolve_pending(*, transfer_id: str, pending_id: str, post: bool) -> Transfer:
    """Post or void a pending transfer with a new appended row; safe to repeat with the same transfer id."""
    existing = Transfer.objects.filter(id=transfer_id).first()
    if existing is not None:
        if existing.pending_id != pending_id:
            raise LedgerError(f"transfer id {transfer_id} already names another transfer", "transfer_id_reused")
        return existing
    with transaction.atomic():
        pending = Transfer.objects.select_for_update().filter(id=pending_id).first()
        if pending is None or pending.status != TransferStatus.PENDING:
            raise LedgerError(f"{pending_id} is not a pending transfer", "not_pending")
        if Transfer.objects.filter(pending_id=pending_id).exists():
            raise LedgerError(f"pending transfer {pending_id} was already posted or voided", "already_resolved")
        debit, credit = _lock(pending.debit_account_id, pending.credit_account_id)
        amount = pending.amount_minor
        _add(debit, "debits_pending", -amount)
        _add(credit, "credits_pending", -amount)
        if post:
            _add(debit, "debits_posted", amount)
            _add(credit, "credits_posted", amount)
        _check_floor(debit)
        _check_floor(credit)
        resolution = Transfer(id=transfer_id, debit_account=debit, credit_account=credit, amount_minor=amount,
                              currency=pending.currency, code=pending.code,
                              status=(TransferStatus.POST_PENDING if post else TransferStatus.VOID_PENDING).value,
                              pending=pending, payment_id=pending.payment_id, refund_id=pending.refund_id,
                              created_at=clock.now())
        resolution.save()
        debit.save(update_fields=["debits_pending", "debits_posted"])
        credit.save(update_fields=["credits_pending", "credits_posted"])
    return resolution


def pending_transfers_expire_due(*, limit: int = 100) -> int:
    """Void holds whose timeout passed."""
    due = (Transfer.objects.filter(status=TransferStatus.PENDING, timeout_at__lte=clock.now(), resolution=None)
           .values_list("id", flat=True)[:limit])
    count = 0
    for pending_id in list(due):
        try:
            transfer_resolve_pending(transfer_id=f"{pending_id}:expired", pending_id=pending_id, post=False)
            count += 1
        except LedgerError:
            pass  # resolved concurrently
    return count


def _lock(*account_ids: str) -> list[LedgerAccount]:
    # Ascending id order (the documented lock order); fixed SQL, as every transfer runs it.
    placeholders = ", ".join(["%s"] * len(account_ids))
    locked = {a.id: a for a in rows_select(LedgerAccount, f"t.id IN ({placeholders}) ORDER BY t.id",
                                           list(account_ids), lock=True)}
    return [locked[account_id] for account_id in account_ids]


def _add(account: LedgerAccount, field: str, amount: int) -> None:
    setattr(account, field, getattr(account, field) + amount)


def _check_floor(account: LedgerAccount) -> None:
    if account.flag == "debits_must_not_exceed_credits" and (
            account.debits_posted + account.debits_pending > account.credits_posted):
        raise LedgerError(f"{account.kind} account {account.id} would be overdrawn", "insufficient_balance")
    if account.flag == "credits_must_not_exceed_debits" and (
            account.credits_posted + account.credits_pending > account.debits_posted):
        raise LedgerError(f"{account.kind} account {account.id} would go below zero", "insufficient_balance")


def _same_or_refuse(existing: Transfer, debit, credit, amount_minor, code) -> Transfer:
    same = (existing.debit_account_id, existing.credit_account_id, existing.amount_minor, existing.code) == (
        debit.id, credit.id, amount_minor, code.value)
    if not same:
        raise LedgerError(f"transfer id {existing.id} was already used for a different transfer",
                          "transfer_id_reused")
    return existing
