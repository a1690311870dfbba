"""What the cash tests compare before and after a refused request: nothing may have changed."""

from __future__ import annotations


def snapshot() -> dict:
    from lipwa.audit.models import AuditEntry
    from lipwa.cash.models import CashAssignment, CashCollection, CashDiscrepancy, CashRemittance, CashUp, Rider
    from lipwa.ledger.models import LedgerAccount, Transfer
    from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent

    return {
        "payments": sorted(PaymentIntent.objects.values_list("id", "status", "receipt_number", "needs_review")),
        "attempts": sorted(PaymentAttempt.objects.values_list("id", "status")),
        "events": PaymentEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "transfers": Transfer.objects.count(),
        "balances": sorted(LedgerAccount.objects.values_list("id", "debits_posted", "credits_posted")),
        "cash": [model.objects.count() for model in (Rider, CashAssignment, CashCollection, CashRemittance, CashUp,
                                                      CashDiscrepancy)],
    }
