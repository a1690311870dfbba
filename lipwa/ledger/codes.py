"""Account kinds, transfer codes and account flags of the ledger."""

from enum import StrEnum


class AccountKind(StrEnum):
    GATEWAY_CLEARING = "gateway_clearing"  # money held at a gateway for us (one per connector account)
    MERCHANT_AVAILABLE = "merchant_available"  # the merchant's money, free to refund or pay out
    MERCHANT_PENDING = "merchant_pending"  # the merchant's money not yet confirmed (bank transfer, cash)
    FEES = "fees"  # gateway fees charged on payments, until a settlement shows the gateway kept them
    REFUNDS_PAYABLE = "refunds_payable"  # refunds approved and on their way back to customers
    CASH_IN_TRANSIT = "cash_in_transit"  # cash a rider or agent holds (one per rider)
    SETTLEMENT = "settlement"  # money moved out to the merchant's bank
    CORRECTIONS = "corrections"  # the other side of every correction


class TransferCode(StrEnum):
    CHARGE = "CHARGE"
    FEE = "FEE"
    REFUND = "REFUND"
    REFUND_HOLD = "REFUND_HOLD"
    PAYOUT = "PAYOUT"
    CASH_COLLECTION = "CASH_COLLECTION"
    SETTLEMENT = "SETTLEMENT"
    CORRECTION = "CORRECTION"


class TransferStatus(StrEnum):
    POSTED = "posted"  # final
    PENDING = "pending"  # a hold: reserved, not yet moved; ends in exactly one post or void
    POST_PENDING = "post_pending"  # posts an earlier pending transfer (a new, appended row)
    VOID_PENDING = "void_pending"  # voids an earlier pending transfer (a new, appended row)


# Accounts that can never hold a negative balance, by the side that must not exceed the other.
# "debits_must_not_exceed_credits": a liability to the merchant cannot be overdrawn.
NO_OVERDRAFT_KINDS = {
    AccountKind.MERCHANT_AVAILABLE: "debits_must_not_exceed_credits",
    AccountKind.REFUNDS_PAYABLE: "debits_must_not_exceed_credits",
    AccountKind.CASH_IN_TRANSIT: "credits_must_not_exceed_debits",
}
