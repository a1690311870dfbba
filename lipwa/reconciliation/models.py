"""Imported statements, their lines, the matches between lines and payments, and the discrepancies left.

A line is stored once per merchant, mode and source (the account the statement is for), keyed by a
fingerprint: the gateway's or bank's reference where the line has one, else a digest of what describes it.
Importing the same file again, or a statement whose period overlaps an earlier one, adds only new lines.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, Merchant

FORMATS = [("mpesa_csv", "M-Pesa organisation statement CSV"), ("mtn_momo_csv", "MTN MoMo merchant statement CSV"),
           ("airtel_csv", "Airtel Money merchant statement CSV"),
           ("paystack_csv", "Paystack transactions or settlements export"),
           ("paynow_csv", "Paynow transaction export"), ("bank_csv", "bank CSV with a preset"),
           ("mt940", "SWIFT MT940"), ("camt053", "ISO 20022 camt.053")]
LINE_KINDS = [("entry", "entry"), ("settlement", "settlement")]
DIRECTIONS = [("credit", "credit"), ("debit", "debit")]
DISCREPANCY_KINDS = [("amount_mismatch", "amount mismatch"), ("missing_in_statement", "missing in statement"),
                     ("missing_in_lipwa", "missing in lipwa"), ("duplicate", "duplicate"),
                     ("fee_difference", "fee difference"), ("settlement_unmatched", "settlement unmatched")]
DISCREPANCY_STATUSES = [("open", "open"), ("reviewed", "reviewed"), ("resolved", "resolved")]
# How an operator closed a discrepancy; `matched` is the automatic resolution by a later statement.
RESOLUTIONS = [("accept_statement", "accept the statement's figure"), ("write_off", "write off"),
               ("attach", "attached to a payment or invoice"), ("dismiss", "dismissed"), ("matched", "matched")]


def _statement_id() -> str:
    return new_id("stm")


def _discrepancy_id() -> str:
    return new_id("dsc")


class Statement(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_statement_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    format = models.CharField(max_length=16, choices=FORMATS)
    preset = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=120)  # the account the lines belong to; fingerprints are per source
    currency = models.CharField(max_length=3)
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    period_start = models.DateTimeField(null=True)
    period_end = models.DateTimeField(null=True)
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)
    lines_in_file = models.PositiveIntegerField(default=0)
    lines_new = models.PositiveIntegerField(default=0)
    lines_known = models.PositiveIntegerField(default=0)  # already imported by an earlier statement
    reconciled_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "-id"])]


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    source = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=200)
    line_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=120, blank=True)
    payer_reference = models.CharField(max_length=140, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    direction = models.CharField(max_length=6, choices=DIRECTIONS)
    counterparty = models.CharField(max_length=140, blank=True)
    booked_at = models.DateTimeField()
    date_only = models.BooleanField(default=False)
    description = models.CharField(max_length=1000, blank=True)
    balance_minor = models.BigIntegerField(null=True)
    external_reference = models.CharField(max_length=120, blank=True)  # the id lipwa gave the gateway
    fee_minor = models.BigIntegerField(null=True)  # the gateway's fee, where the file shows it
    kind = models.CharField(max_length=12, choices=LINE_KINDS, default="entry")
    raw = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["statement", "line_number"])]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "mode", "source", "fingerprint"],
                                    name="statement_line_once_per_source"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="statement_line_amount_positive"),
        ]


class Match(models.Model):
    """One line is one payment: both sides are unique."""

    line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="match")
    payment = models.OneToOneField("payments.PaymentIntent", on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="matches")
    rule = models.CharField(max_length=40)
    confidence_percent = models.PositiveSmallIntegerField()
    matched_at = models.DateTimeField()


class SettlementItem(models.Model):
    """One payment paid out by a settlement line (many payments to one line); a payment is settled once."""

    line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, related_name="settlement_items")
    payment = models.OneToOneField("payments.PaymentIntent", on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="settlement_items")
    net_minor = models.BigIntegerField()  # the payment's amount less its fee: what the settlement carried
    confidence_percent = models.PositiveSmallIntegerField()
    matched_at = models.DateTimeField()


class SettlementLink(models.Model):
    """One payout seen from both ends: a gateway's settlement line (its settlements export) and the credit
    of it on the merchant's bank statement. Whichever arrived first settled the payments and posted the
    ledger transfer; the other is linked to it and posts nothing."""

    gateway_line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="bank_settlement")
    bank_line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="gateway_settlement")
    provider = models.CharField(max_length=32)  # the gateway that paid
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="settlement_links")
    rule = models.CharField(max_length=40)
    confidence_percent = models.PositiveSmallIntegerField()
    matched_at = models.DateTimeField()


class Discrepancy(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_discrepancy_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="discrepancies")
    kind = models.CharField(max_length=24, choices=DISCREPANCY_KINDS)
    status = models.CharField(max_length=10, choices=DISCREPANCY_STATUSES, default="open")
    line = models.ForeignKey(StatementLine, null=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey("payments.PaymentIntent", null=True, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True)
    resolution = models.CharField(max_length=20, choices=RESOLUTIONS, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)  # who reviewed or resolved it
    note = models.CharField(max_length=1000, blank=True)
    reviewed_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "status"])]
