"""Reads of cash on delivery: riders, floats, cash-ups. Balances come from the ledger, never from sums here."""

from __future__ import annotations

from datetime import date

from lipwa.common.errors import NotFound
from lipwa.ledger.codes import AccountKind
from lipwa.ledger.models import LedgerAccount
from lipwa.merchants.models import Merchant

from .models import CashUp, Rider


def riders_list(*, merchant: Merchant, mode: str, active: bool | None = None) -> list[Rider]:
    queryset = Rider.objects.filter(merchant=merchant, mode=mode)
    if active is not None:
        queryset = queryset.filter(active=active)
    return list(queryset.order_by("id"))


def rider_get(*, merchant: Merchant, mode: str, rider_id: str) -> Rider:
    rider = Rider.objects.filter(merchant=merchant, mode=mode, id=rider_id).first()
    if rider is None:
        raise NotFound(f"no rider {rider_id}", param="rider", code="rider_not_found")
    return rider


def rider_floats(rider: Rider) -> dict[str, int]:
    """Cash the rider holds, per currency: their cash-in-transit balance (debit-normal) in the ledger."""
    accounts = LedgerAccount.objects.filter(merchant_id=rider.merchant_id, mode=rider.mode,
                                            kind=AccountKind.CASH_IN_TRANSIT, reference=rider.id)
    return {account.currency: account.debits_posted - account.credits_posted for account in accounts}


def cash_ups_list(*, merchant: Merchant, mode: str, rider_id: str | None = None, day: date | None = None,
                  limit: int = 100) -> list[CashUp]:
    queryset = CashUp.objects.filter(rider__merchant=merchant, rider__mode=mode).select_related("discrepancy")
    if rider_id:
        queryset = queryset.filter(rider_id=rider_id)
    if day:
        queryset = queryset.filter(day=day)
    return list(queryset.order_by("-day", "rider_id", "currency")[:limit])
