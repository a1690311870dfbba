"""/v1/balance and the ledger statement of each account."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lipwa.common.errors import NotFound
from lipwa.ledger.selectors import account_statement, balance_get, ledger_accounts_list

from .schemas import ErrorOut

router = Router(tags=["balance"])
ERRORS = {401: ErrorOut, 404: ErrorOut}


@router.get("/balance", response={200: dict, **ERRORS}, summary="The merchant's balance per currency")
def get_balance(request: HttpRequest):
    key = request.auth
    return balance_get(merchant=key.merchant, mode=key.mode)


@router.get("/ledger/accounts", response={200: dict, **ERRORS}, summary="Ledger accounts with balances")
def list_ledger_accounts(request: HttpRequest):
    key = request.auth
    return {"object": "list", "data": [_account(a) for a in ledger_accounts_list(merchant=key.merchant,
                                                                                 mode=key.mode)]}


@router.get("/ledger/accounts/{account_id}/statement", response={200: dict, **ERRORS},
            summary="Posted movements of one ledger account with the running balance")
def get_statement(request: HttpRequest, account_id: str):
    key = request.auth
    account = next((a for a in ledger_accounts_list(merchant=key.merchant, mode=key.mode) if a.id == account_id), None)
    if account is None:
        raise NotFound(f"no ledger account {account_id}", param="account_id")
    return {"object": "statement", "account": _account(account), "data": account_statement(account=account)}


def _account(account) -> dict:
    return {"id": account.id, "kind": account.kind, "currency": account.currency,
            "reference": account.reference or None, "balance": account.balance_minor,
            "debits_pending": account.debits_pending, "credits_pending": account.credits_pending}
