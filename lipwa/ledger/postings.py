"""What each business event posts to the ledger. Called inside the transaction of the state change."""

from __future__ import annotations

from .codes import AccountKind, TransferCode
from .models import Transfer
from .services import account_ensure, transfer_create, transfer_resolve_pending


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
