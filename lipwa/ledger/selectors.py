"""Balances, statements and the invariant check, all derived from transfers."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, Sum

from lipwa.merchants.models import Merchant

from .codes import AccountKind, TransferStatus
from .models import LedgerAccount, Transfer


def balance_get(*, merchant: Merchant, mode: str) -> dict:
    """Per currency: what the merchant can use, what is not yet confirmed, what refunds have reserved."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"available": 0, "pending": 0, "reserved": 0, "fees": 0})
    for account in LedgerAccount.objects.filter(merchant=merchant, mode=mode):
        row = rows[account.currency]
        if account.kind == AccountKind.MERCHANT_AVAILABLE:
            row["available"] += account.balance_minor - account.debits_pending
            row["reserved"] += account.debits_pending
        elif account.kind == AccountKind.MERCHANT_PENDING:
            row["pending"] += account.balance_minor
        elif account.kind == AccountKind.FEES:
            row["fees"] += account.balance_minor
    return {"object": "balance", "livemode": mode == "live",
            "balances": [{"currency": currency, **values} for currency, values in sorted(rows.items())]}


def ledger_accounts_list(*, merchant: Merchant, mode: str) -> list[LedgerAccount]:
    return list(LedgerAccount.objects.filter(merchant=merchant, mode=mode).order_by("currency", "kind", "reference"))


def account_statement(*, account: LedgerAccount, limit: int = 100) -> list[dict]:
    """Posted movements of one account, oldest first, with the running credit-normal balance."""
    rows, running = [], 0
    moves = (Transfer.objects.filter(Q(debit_account=account) | Q(credit_account=account))
             .filter(status__in=[TransferStatus.POSTED, TransferStatus.POST_PENDING]).order_by("created_at", "id"))
    for transfer in moves[:limit]:
        signed = transfer.amount_minor if transfer.credit_account_id == account.id else -transfer.amount_minor
        running += signed
        rows.append({"transfer": transfer.id, "code": transfer.code, "amount": signed, "balance": running,
                     "payment": transfer.payment_id or None, "refund": transfer.refund_id or None,
                     "created": int(transfer.created_at.timestamp())})
    return rows


def ledger_verify() -> list[str]:
    """Recompute every account's sums from its transfers; report drift and any currency that does not net
    to zero. An empty list means the ledger is consistent."""
    problems = []
    computed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums = (Transfer.objects.values("debit_account_id", "credit_account_id", "status", "pending__status")
            .annotate(total=Sum("amount_minor")))
    for row in sums:
        status = row["status"]
        if status in (TransferStatus.POSTED, TransferStatus.POST_PENDING):
            computed[row["debit_account_id"]]["debits_posted"] += row["total"]
            computed[row["credit_account_id"]]["credits_posted"] += row["total"]
        if status in (TransferStatus.PENDING,):
            computed[row["debit_account_id"]]["debits_pending"] += row["total"]
            computed[row["credit_account_id"]]["credits_pending"] += row["total"]
        if status in (TransferStatus.POST_PENDING, TransferStatus.VOID_PENDING):  # the hold is released
            computed[row["debit_account_id"]]["debits_pending"] -= row["total"]
            computed[row["credit_account_id"]]["credits_pending"] -= row["total"]
    net: dict[tuple[str, str], int] = defaultdict(int)
    for account in LedgerAccount.objects.all():
        for field in ("debits_posted", "credits_posted", "debits_pending", "credits_pending"):
            expected = computed[account.id][field]
            if getattr(account, field) != expected:
                problems.append(f"{account.id} {field}: cached {getattr(account, field)}, transfers say {expected}")
        net[(account.mode, account.currency)] += account.debits_posted - account.credits_posted
    problems += [f"{currency} ({mode}) nets to {total}, not zero" for (mode, currency), total in net.items() if total]
    return problems
