"""Invoices with gap-free numbers, their lines, the payments applied to them, and instalment schedules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lipwa.common.ids import new_id
from lipwa.merchants.models import MODES, Merchant

INVOICE_STATUSES = ("draft", "open", "partially_paid", "paid", "overdue", "void")


def _invoice_id() -> str:
    return new_id("inv")


def _schedule_id() -> str:
    return new_id("sch")


class InvoiceCounter(models.Model):
    """The last number issued for (merchant, mode, year); locked while a number is assigned, so that
    numbers are gap-free and never repeat (the row lock serialises issuers, the unique key stops twins)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "mode", "year"], name="invoice_counter_unique")]


class Schedule(models.Model):
    """An instalment plan: the total split exactly over several invoices (DESIGN: remainder to the last)."""

    id = models.CharField(primary_key=True, max_length=40, default=_schedule_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    description = models.CharField(max_length=500)
    customer = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(total_minor__gt=0), name="schedule_total_positive")]


class Invoice(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_invoice_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=4, choices=MODES)
    number = models.CharField(max_length=40, blank=True)  # empty while a draft
    status = models.CharField(max_length=20, choices=[(s, s) for s in INVOICE_STATUSES], default="draft")
    currency = models.CharField(max_length=3)
    customer = models.JSONField(default=dict)
    description = models.CharField(max_length=500, blank=True)
    subtotal_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    # Money that really arrived; may exceed the total when two pay links were both paid (shown as overpaid).
    amount_paid_minor = models.BigIntegerField(default=0)
    due_date = models.DateField()
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="invoices")
    instalment = models.PositiveIntegerField(null=True, blank=True)  # 1-based position in its schedule
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "-id"]), models.Index(fields=["status", "due_date"])]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "mode", "number"], condition=~Q(number=""),
                                    name="invoice_number_unique"),
            models.CheckConstraint(condition=Q(total_minor__gt=0), name="invoice_total_positive"),
            models.CheckConstraint(condition=Q(total_minor=models.F("subtotal_minor") + models.F("tax_minor")),
                                   name="invoice_total_adds_up"),
            models.CheckConstraint(condition=Q(amount_paid_minor__gte=0), name="invoice_paid_not_negative"),
            models.CheckConstraint(condition=Q(status__in=INVOICE_STATUSES), name="invoice_status_known"),
        ]

    @property
    def amount_due_minor(self) -> int:
        return max(self.total_minor - self.amount_paid_minor, 0)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    description = models.CharField(max_length=500)
    quantity_milli = models.BigIntegerField()  # thousandths: "1.5" is 1500
    unit_amount_minor = models.BigIntegerField()
    tax_rate_bp = models.PositiveIntegerField()  # basis points: 1600 is 16 %
    amount_minor = models.BigIntegerField()  # quantity x unit amount, rounded half-even
    tax_minor = models.BigIntegerField()  # amount x rate, rounded half-even

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique")]


class InvoicePayment(models.Model):
    """A succeeded payment applied to an invoice; the unique payment makes applying it idempotent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    payment_id = models.CharField(max_length=40, unique=True)
    amount_minor = models.BigIntegerField()
    applied_at = models.DateTimeField()


class InvoiceRefund(models.Model):
    """A succeeded refund of a payment that paid the invoice; the unique refund makes applying it idempotent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=40, unique=True)
    payment_id = models.CharField(max_length=40)
    amount_minor = models.BigIntegerField()
    applied_at = models.DateTimeField()
