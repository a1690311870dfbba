"""Reads for reconciliation: statements, and the plain views of lines and payments that matching takes."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.ledger.postings import SettledPayment
from lipwa.merchants.models import ConnectorAccount, Merchant
from lipwa.payments.models import PaymentAttempt, PaymentIntent

from . import models as m
from .matching import (
    SETTLEMENT_BANK_DAYS_AFTER,
    SETTLEMENT_BANK_DAYS_BEFORE,
    LineView,
    PaymentView,
    bank_references_in,
)

# Payments that can still turn out to have been paid; a failed or cancelled one cannot claim a line.
MATCHABLE_STATUSES = ("pending", "requires_action", "processing", "succeeded", "expired")


def statement_get(*, merchant: Merchant, mode: str, statement_id: str) -> m.Statement:
    statement = m.Statement.objects.filter(merchant=merchant, mode=mode, id=statement_id).first()
    if statement is None:
        raise NotFound(f"no statement {statement_id}", param="id", code="statement_not_found")
    return statement


def line_views(*, statement: m.Statement) -> list[LineView]:
    rows = statement.lines.filter(match__isnull=True).order_by("line_number", "id")
    return [_line_view(row) for row in rows.filter(settlement_items__isnull=True).distinct()]


def _line_view(row: m.StatementLine) -> LineView:
    return LineView(id=row.id, reference=row.reference, amount_minor=row.amount_minor, currency=row.currency,
                    direction=row.direction, booked_at=row.booked_at, counterparty=row.counterparty,
                    payer_reference=row.payer_reference, description=row.description, date_only=row.date_only,
                    external_reference=row.external_reference, fee_minor=row.fee_minor, kind=row.kind)


def payment_views(*, statement: m.Statement, provider: str, lookback_days: int) -> list[PaymentView]:
    if statement.period_start is None:
        return []
    rows = (PaymentIntent.objects.filter(
        merchant_id=statement.merchant_id, mode=statement.mode, currency=statement.currency, provider=provider,
        status__in=MATCHABLE_STATUSES, created_at__gte=statement.period_start - timedelta(days=lookback_days),
        created_at__lte=statement.period_end + timedelta(days=1))
        .exclude(id__in=m.Match.objects.values("payment_id")).order_by("created_at", "id"))
    return [_payment_view(row) for row in rows]


def _payment_view(row: PaymentIntent) -> PaymentView:
    return PaymentView(id=row.id, amount_minor=row.amount_minor, currency=row.currency, created_at=row.created_at,
                       phone=row.phone_e164, gateway_reference=row.gateway_reference,
                       receipt_number=row.receipt_number, fee_minor=row.fee_minor, succeeded_at=row.succeeded_at)


def settlement_payment_views(*, statement: m.Statement, provider: str, lookback_days: int) -> list[PaymentView]:
    """Succeeded payments of the gateway no settlement has paid out yet, up to the statement's end."""
    if statement.period_start is None:
        return []
    rows = (PaymentIntent.objects.filter(
        merchant_id=statement.merchant_id, mode=statement.mode, currency=statement.currency, provider=provider,
        status="succeeded", succeeded_at__gte=statement.period_start - timedelta(days=lookback_days),
        succeeded_at__lte=statement.period_end)
        .exclude(id__in=m.SettlementItem.objects.values("payment_id")).order_by("succeeded_at", "id"))
    return [_payment_view(row) for row in rows]


# Gateways whose settlements can reach a bank: every connector but the bank and cash themselves.
NOT_SETTLING_CONNECTORS = ("bank_transfer", "cash")
BANK_FORMATS = ("bank_csv", "mt940", "camt053")


def settling_providers(*, merchant_id: str, mode: str) -> set[str]:
    """The gateways the merchant has connector accounts for in this mode (active or not: an account switched
    off may still be paying out what it collected): the only ones whose settlements a bank line can be."""
    return set(ConnectorAccount.objects.filter(merchant_id=merchant_id, mode=mode)
               .exclude(connector__in=NOT_SETTLING_CONNECTORS).values_list("connector", flat=True))


def settlement_line_partner(*, line: m.StatementLine) -> m.StatementLine | None:
    """The other end of a payout this line was already linked to (bank credit ↔ gateway settlement line)."""
    link = (m.SettlementLink.objects.filter(Q(bank_line=line) | Q(gateway_line=line))
            .select_related("bank_line", "gateway_line").first())
    if link is None:
        return None
    return link.gateway_line if link.bank_line_id == line.id else link.bank_line


def _unlinked_near(query, *, booked_at, amount_minor: int, currency: str):
    days = timedelta(days=SETTLEMENT_BANK_DAYS_AFTER + SETTLEMENT_BANK_DAYS_BEFORE + 1)
    return (query.filter(amount_minor=amount_minor, currency=currency, direction="credit",
                         booked_at__gte=booked_at - days, booked_at__lte=booked_at + days,
                         bank_settlement__isnull=True, gateway_settlement__isnull=True)
            .order_by("booked_at", "id"))


def gateway_settlement_candidates(*, line: m.StatementLine, provider: str) -> list[LineView]:
    """The gateway's settlement lines (from its settlements export) that this bank credit could be: same
    amount and currency, near in date, not yet linked to a bank credit."""
    lines = m.StatementLine.objects.filter(merchant_id=line.merchant_id, mode=line.mode, kind="settlement",
                                           source=provider)
    rows = _unlinked_near(lines, booked_at=line.booked_at, amount_minor=line.amount_minor, currency=line.currency)
    return [_line_view(row) for row in rows]


def bank_settlement_candidates(*, line: m.StatementLine) -> list[LineView]:
    """Bank credits that this gateway settlement line could be: same amount and currency, near in date, not
    matched to a payment nor yet linked (the caller keeps those recognised as this gateway's settlement)."""
    lines = m.StatementLine.objects.filter(merchant_id=line.merchant_id, mode=line.mode, kind="entry",
                                           statement__format__in=BANK_FORMATS, match__isnull=True)
    rows = _unlinked_near(lines, booked_at=line.booked_at, amount_minor=line.amount_minor, currency=line.currency)
    return [_line_view(row) for row in rows]


def settled_payments(*, payment_ids: list[str]) -> list[SettledPayment]:
    """What the ledger needs to post a settlement of these payments: amount, fee, currency and the connector
    account whose clearing account the charge went to (the payment's first succeeded attempt's)."""
    charged: dict[str, str] = {}
    for payment_id, account_id in (PaymentAttempt.objects.filter(payment_id__in=payment_ids, status="succeeded")
                                   .order_by("created_at", "id").values_list("payment_id", "connector_account_id")):
        charged.setdefault(payment_id, account_id)
    rows = PaymentIntent.objects.filter(id__in=payment_ids).order_by("id").values_list(
        "id", "connector_account_id", "currency", "amount_minor", "fee_minor")
    return [SettledPayment(payment_id=pid, connector_account_id=charged.get(pid, account_id), currency=currency,
                           amount_minor=amount, fee_minor=fee) for pid, account_id, currency, amount, fee in rows]


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
    if not statement.lines.filter(kind="entry").exists():
        return []  # a settlements export lists payouts, not payments: its payments are not "missing"
    return list(PaymentIntent.objects.filter(
        merchant_id=statement.merchant_id, mode=statement.mode, currency=statement.currency, provider=provider,
        status="succeeded", succeeded_at__gte=statement.period_start, succeeded_at__lte=statement.period_end)
        .exclude(id__in=m.Match.objects.values("payment_id")).order_by("id")
        .values_list("id", "amount_minor"))


REVIEW_STATUSES = ("open", "reviewed", "resolved")


def review_queue(merchant: Merchant, *, mode: str, status: str | None = None, kind: str | None = None,
                 statement_id: str | None = None, limit: int = 50, starting_after: str | None = None
                 ) -> tuple[list[m.Discrepancy], bool]:
    """Discrepancies waiting for a person (open and reviewed, by default), newest first; (page, has_more)."""
    if status is not None and status not in REVIEW_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(REVIEW_STATUSES)}", param="status")
    if kind is not None and kind not in dict(m.DISCREPANCY_KINDS):
        raise InvalidRequest(f"kind must be one of {', '.join(dict(m.DISCREPANCY_KINDS))}", param="kind")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200:
        raise InvalidRequest("limit must be an integer from 1 to 200", param="limit")
    query = m.Discrepancy.objects.filter(merchant=merchant, mode=mode,
                                         status__in=(status,) if status else ("open", "reviewed"))
    if kind:
        query = query.filter(kind=kind)
    if statement_id:
        query = query.filter(statement_id=statement_id)
    if starting_after:
        query = query.filter(id__lt=starting_after)
    page = list(query.select_related("line", "statement").order_by("-id")[:limit + 1])
    return page[:limit], len(page) > limit


def discrepancy_get(*, merchant: Merchant, mode: str, discrepancy_id: str) -> m.Discrepancy:
    found = m.Discrepancy.objects.filter(merchant=merchant, mode=mode, id=discrepancy_id).first()
    if found is None:
        raise NotFound(f"no discrepancy {discrepancy_id}", param="id", code="discrepancy_not_found")
    return found


def statement_line_get(*, statement: m.Statement, line_number: int) -> m.StatementLine:
    """A line of a statement by its line number in the file (the number errors and reports show)."""
    if isinstance(line_number, bool) or not isinstance(line_number, int) or not 1 <= line_number <= 2**31 - 1:
        raise NotFound(f"statement {statement.id} has no line {line_number}", param="line",
                       code="statement_line_not_found")
    found = statement.lines.filter(line_number=line_number).first()
    if found is None:
        # A re-imported line belongs to the statement that stored it first.
        found = m.StatementLine.objects.filter(merchant_id=statement.merchant_id, mode=statement.mode,
                                               source=statement.source, line_number=line_number,
                                               statement__file_sha256=statement.file_sha256).first()
    if found is None:
        raise NotFound(f"statement {statement.id} has no line {line_number}", param="line",
                       code="statement_line_not_found")
    return found
