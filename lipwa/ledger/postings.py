"""What each business event posts to the ledger. Called inside the transaction of the state change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from .codes import AccountKind, TransferCode
from .models import LedgerAccount, Transfer
from .services import LedgerError, account_ensure, transfer_create, transfer_resolve_pending


def charge_captured(*, merchant_id: str, mode: str, currency: str, connector_account_id: str, payment_id: str,
                    attempt_id: str, amount_minor: int, fee_minor: int) -> None:
    """Money arrived at the gateway for the merchant: gateway clearing → merchant available, then the fee.
    Keyed by attempt, so a second success for the same payment (a double charge) is recorded, not hidden."""
    def account(kind, reference=""):
        return account_ensure(merchant=merchant_id, mode=mode, currency=currency, kind=kind, reference=reference)

    available = account(AccountKind.MERCHANT_AVAILABLE)
    transfer_create(transfer_id=f"{attempt_id}:charge", debit=account(AccountKind.GATEWAY_CLEARING,
                                                                      connector_account_id),
                    credit=available, amount_minor=amount_minor, code=TransferCode.CHARGE, payment_id=payment_id)
    if fee_minor:
        transfer_create(transfer_id=f"{attempt_id}:fee", debit=available, credit=account(AccountKind.FEES),
                        amount_minor=fee_minor, code=TransferCode.FEE, payment_id=payment_id)


def refund_hold(*, merchant_id: str, mode: str, currency: str, payment_id: str, refund_id: str,
                amount_minor: int) -> Transfer:
    """Reserve the refund from the merchant's available balance (raises LedgerError if it is not there)."""
    available = account_ensure(merchant=merchant_id, mode=mode, currency=currency,
                               kind=AccountKind.MERCHANT_AVAILABLE)
    payable = account_ensure(merchant=merchant_id, mode=mode, currency=currency, kind=AccountKind.REFUNDS_PAYABLE)
    return transfer_create(transfer_id=f"{refund_id}:hold", debit=available, credit=payable,
                           amount_minor=amount_minor, code=TransferCode.REFUND_HOLD, pending=True,
                           payment_id=payment_id, refund_id=refund_id)


def refund_release(*, refund_id: str) -> None:
    """The refund will not happen (rejected, failed): give the held money back to the merchant."""
    if Transfer.objects.filter(id=f"{refund_id}:hold").exists():
        transfer_resolve_pending(transfer_id=f"{refund_id}:hold:void", pending_id=f"{refund_id}:hold", post=False)


def refund_paid(*, merchant_id: str, mode: str, currency: str, connector_account_id: str, payment_id: str,
                refund_id: str, amount_minor: int) -> None:
    """The gateway returned the money to the customer: post the hold, then refunds payable → gateway."""
    hold = Transfer.objects.filter(id=f"{refund_id}:hold").first()
    if hold is not None:
        transfer_resolve_pending(transfer_id=f"{refund_id}:hold:post", pending_id=hold.id, post=True)
    payable = account_ensure(merchant=merchant_id, mode=mode, currency=currency, kind=AccountKind.REFUNDS_PAYABLE)
    if hold is None:  # a refund recorded without a hold (e.g. done outside lipwa): move it now
        available = account_ensure(merchant=merchant_id, mode=mode, currency=currency,
                                   kind=AccountKind.MERCHANT_AVAILABLE)
        transfer_create(transfer_id=f"{refund_id}:hold:direct", debit=available, credit=payable,
                        amount_minor=amount_minor, code=TransferCode.REFUND_HOLD, payment_id=payment_id,
                        refund_id=refund_id)
    clearing = account_ensure(merchant=merchant_id, mode=mode, currency=currency,
                              kind=AccountKind.GATEWAY_CLEARING, reference=connector_account_id)
    transfer_create(transfer_id=f"{refund_id}:refund", debit=payable, credit=clearing, amount_minor=amount_minor,
                    code=TransferCode.REFUND, payment_id=payment_id, refund_id=refund_id)


def payout_hold(*, merchant_id: str, mode: str, currency: str, connector_account_id: str, payout_id: str,
                amount_minor: int) -> Transfer:
    """Reserve a payout from the merchant's available balance (raises LedgerError if it is not there)."""
    available = account_ensure(merchant=merchant_id, mode=mode, currency=currency,
                               kind=AccountKind.MERCHANT_AVAILABLE)
    clearing = account_ensure(merchant=merchant_id, mode=mode, currency=currency,
                              kind=AccountKind.GATEWAY_CLEARING, reference=connector_account_id)
    return transfer_create(transfer_id=f"{payout_id}:payout", debit=available, credit=clearing,
                           amount_minor=amount_minor, code=TransferCode.PAYOUT, pending=True,
                           description=f"payout {payout_id}")


def payout_settle(*, payout_id: str, paid: bool) -> None:
    """The gateway paid the wallet (post the hold) or refused (void it)."""
    suffix = "post" if paid else "void"
    transfer_resolve_pending(transfer_id=f"{payout_id}:payout:{suffix}", pending_id=f"{payout_id}:payout",
                             post=paid)


@dataclass(frozen=True)
class SettledPayment:
    """One payment a gateway paid out in a settlement: its gross amount, the fee the gateway kept from it, and
    the connector account whose clearing account its charge was posted to."""

    payment_id: str
    connector_account_id: str
    currency: str
    amount_minor: int
    fee_minor: int


def settlement_paid_out(*, merchant_id: str, mode: str, currency: str, settlement_id: str,
                        payments: Sequence[SettledPayment], description: str = "") -> list[Transfer]:
    """A gateway paid `payments` out to the merchant's bank, keeping its fees. For each connector account
    whose clearing account received their charges, two SETTLEMENT transfers take out what it held for them:
    the net (amount − fee) into `settlement` (debited: the money is now at the merchant's bank), and the fee
    out of `fees` (debited: the fee the FEE posting set aside has now been kept by the gateway). The clearing
    account then holds nothing for these payments: gross − net − fee = 0.

    Ids are `<settlement_id>:<connector account>:net|fee`, so posting the same settlement again posts
    nothing (and a different figure under the same id is refused). Accounts are locked in ascending id order
    before the first transfer, after the payment rows the caller holds. Raises LedgerError for a payment in
    another currency, a payment listed twice, a fee outside 0..amount, or no payments at all."""
    by_account = _settled_by_account(currency, payments)
    label = description or f"settlement {settlement_id}"
    with transaction.atomic():
        def account(kind, reference=""):
            return account_ensure(merchant=merchant_id, mode=mode, currency=currency, kind=kind, reference=reference)

        settlement, fees = account(AccountKind.SETTLEMENT), account(AccountKind.FEES)
        clearings = {ca: account(AccountKind.GATEWAY_CLEARING, ca) for ca in by_account}
        ids = sorted({settlement.id, fees.id, *(a.id for a in clearings.values())})
        list(LedgerAccount.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id"))
        transfers = []
        for connector_account_id, (net_minor, fee_minor, count) in sorted(by_account.items()):
            clearing = clearings[connector_account_id]
            key = f"{settlement_id}:{connector_account_id}"
            if net_minor:
                transfers.append(transfer_create(
                    transfer_id=f"{key}:net", debit=settlement, credit=clearing, amount_minor=net_minor,
                    code=TransferCode.SETTLEMENT, description=f"{label}: net of {count} payments"))
            if fee_minor:
                transfers.append(transfer_create(
                    transfer_id=f"{key}:fee", debit=fees, credit=clearing, amount_minor=fee_minor,
                    code=TransferCode.SETTLEMENT, description=f"{label}: fees kept by the gateway"))
    return transfers


def _settled_by_account(currency: str, payments: Sequence[SettledPayment]) -> dict[str, tuple[int, int, int]]:
    """(net, fee, count) per connector account, after checking every payment can be in this settlement."""
    if not payments:
        raise LedgerError("a settlement pays out at least one payment", "settlement_empty")
    seen: set[str] = set()
    totals: dict[str, tuple[int, int, int]] = {}
    for payment in payments:
        if payment.currency != currency:
            raise LedgerError(f"payment {payment.payment_id} is in {payment.currency}, the settlement in {currency}: "
                              "a settlement is paid in one currency", "settlement_currency_mixed")
        if payment.payment_id in seen:
            raise LedgerError(f"payment {payment.payment_id} is listed twice in one settlement", "settlement_duplicate")
        if not 0 <= payment.fee_minor <= payment.amount_minor or payment.amount_minor <= 0:
            raise LedgerError(f"payment {payment.payment_id}: fee {payment.fee_minor} is not within its amount "
                              f"{payment.amount_minor}", "amount_invalid")
        seen.add(payment.payment_id)
        net, fee, count = totals.get(payment.connector_account_id, (0, 0, 0))
        totals[payment.connector_account_id] = (net + payment.amount_minor - payment.fee_minor,
                                                fee + payment.fee_minor, count + 1)
    return totals
