"""Reads for reconciliation: statements, and the plain views of lines and payments that matching takes."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from lipwa.common.errors import NotFound
from lipwa.merchants.models import Merchant
from lipwa.payments.models import PaymentIntent

from . import models as m
from .matching import LineView, PaymentView, bank_references_in

# Payments that can still turn out to have been paid; a failed or cancelled one cannot claim a line.
MATCHABLE_STATUSES = ("pending", "requires_action", "processing", "succeeded", "expired")


def statement_get(*, merchant: Merchant, mode: str, statement_id: str) -> m.Statement:
    statement = m.Statement.objects.filter(merchant=merchant, mode=mode, id=statement_id).first()
    if statement is None:
        raise NotFound(f"no statement {statement_id}", param="id", code="statement_not_found")
    return statement


def line_views(*, statement: m.Statement) -> list[LineView]:
    rows = statement.lines.filter(match__isnull=True).order_by("line_number", "id")
    return [LineView(id=row.id, reference=row.reference, amount_minor=row.amount_minor, currency=row.currency,
                     direction=row.direction, booked_at=row.booked_at, counterparty=row.counterparty,
                     payer_reference=row.payer_reference, description=row.description, date_only=row.date_only)
            for row in rows]


def payment_views(*, statement: m.Statement, provider: str, lookback_days: int) -> list[PaymentView]:
    if statement.period_start is None:
        return []
    rows = (PaymentIntent.objects.filter(
        merchant_id=statement.merchant_id, mode=statement.mode, currency=statement.currency, provider=provider,
        status__in=MATCHABLE_STATUSES, created_at__gte=statement.period_start - timedelta(days=lookback_days),
        created_at__lte=statement.period_end + timedelta(days=1))
        .exclude(id__in=m.Match.objects.values("payment_id")).order_by("created_at", "id"))
    return [PaymentView(id=row.id, amount_minor=row.amount_minor, currency=row.currency, created_at=row.created_at,
                        phone=row.phone_e164, gateway_reference=row.gateway_reference,
                        receipt_number=row.receipt_number) for row in rows]


def payment_already_matched(*, line: m.StatementLine) -> str | None:
    """A matched payment this unmatched line also points at, by reference: the second arrival of a payment."""
    references = [r for r in (line.reference, line.payer_reference) if r]
    quoted = [ref for text in (line.payer_reference, line.reference, line.description)
              for ref in bank_references_in(text)]
    if not references and not quoted:
        return None
    by_reference = Q(receipt_number__in=references) | Q(gateway_reference__in=references + quoted)
    return (PaymentIntent.objects.filter(by_reference, merchant_id=line.merchant_id, mode=line.mode,
                                         currency=line.currency, id__in=m.Match.objects.values("payment_id"))
            .values_list("id", flat=True).first())


def payments_missing_in_statement(*, statement: m.Statement, provider: str) -> list[tuple[str, int]]:
    """Succeeded payments of this rail, succeeded within the statement's period, that no line has matched."""
    if statement.period_start is None:
        return []
    return list(PaymentIntent.objects.filter(
        merchant_id=statement.merchant_id, mode=statement.mode, currency=statement.currency, provider=provider,
        status="succeeded", succeeded_at__gte=statement.period_start, succeeded_at__lte=statement.period_end)
        .exclude(id__in=m.Match.objects.values("payment_id")).order_by("id")
        .values_list("id", "amount_minor"))
