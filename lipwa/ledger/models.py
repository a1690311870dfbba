"""Double-entry ledger: accounts with cached balances, and append-only transfers between two accounts.

Each transfer debits one account and credits another by one amount, so it balances by construction; its id
is also its idempotency key (a primary key: the database refuses a duplicate). Pending transfers reserve
money; a later row posts or voids them, so nothing is ever updated in place.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import Merchant

from .codes import AccountKind, TransferCode, TransferStatus


def _account_id() -> str:
    return new_id("la")


class LedgerAccount(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_account_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4)
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=32, choices=[(k.value, k.value) for k in AccountKind])
    reference = models.CharField(max_length=64, blank=True)  # connector account id, rider id, …
    flag = models.CharField(max_length=40, blank=True)  # see codes.NO_OVERDRAFT_KINDS
    # Cached sums of the transfers; `ledger_verify` recomputes them and compares.
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    debits_pending = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "mode", "currency", "kind", "reference"],
                                    name="ledger_account_unique"),
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0) & Q(credits_posted__gte=0) & Q(debits_pending__gte=0)
                & Q(credits_pending__gte=0), name="ledger_account_sums_non_negative"),
            # The overdraft rules, enforced by the database as well as by the services.
            models.CheckConstraint(
                condition=~Q(flag="debits_must_not_exceed_credits")
                | Q(debits_posted__lte=F("credits_posted") - F("debits_pending")),
                name="ledger_account_no_debit_overdraft"),
            models.CheckConstraint(
                condition=~Q(flag="credits_must_not_exceed_debits")
                | Q(credits_posted__lte=F("debits_posted") - F("credits_pending")),
                name="ledger_account_no_credit_overdraft"),
        ]

    @property
    def balance_minor(self) -> int:
        """Credit-normal balance of posted transfers (what a liability account owes)."""
        return self.credits_posted - self.debits_posted


class Transfer(models.Model):
    id = models.CharField(primary_key=True, max_length=120)  # caller-chosen and unique: the idempotency key
    debit_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    credit_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    code = models.CharField(max_length=20, choices=[(c.value, c.value) for c in TransferCode])
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in TransferStatus])
    pending = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="resolution")  # set on post_pending / void_pending rows
    timeout_at = models.DateTimeField(null=True, blank=True)  # pending holds expire (void) at this time
    payment_id = models.CharField(max_length=40, blank=True, db_index=True)
    refund_id = models.CharField(max_length=40, blank=True, db_index=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(debit_account=F("credit_account")), name="transfer_two_accounts"),
            models.CheckConstraint(
                condition=Q(status__in=["post_pending", "void_pending"], pending__isnull=False)
                | Q(status__in=["posted", "pending"], pending__isnull=True),
                name="transfer_pending_link_matches_status"),
        ]
        indexes = [models.Index(fields=["status", "timeout_at"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("ledger transfers are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger transfers are append-only")
