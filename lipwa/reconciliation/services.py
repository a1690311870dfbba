"""Statement import (all or nothing, never duplicating a line) and reconciliation against payments."""

from __future__ import annotations

import logging

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest

from . import models as m
from .importing import STATEMENT_BYTES_MAX, line_fingerprint, statement_import

log = logging.getLogger("lipwa.reconciliation")

__all__ = ["STATEMENT_BYTES_MAX", "line_fingerprint", "statement_import", "statement_reconcile"]

# -- reconciliation -----------------------------------------------------------------------------------------

# Which payments a statement can contain: an M-Pesa statement holds M-Pesa payments; a bank statement holds
# bank transfers. Gateways are named as strings, never imported (reconciliation is core).
FORMAT_PROVIDERS = {"mpesa_csv": "mpesa", "mtn_momo_csv": "mtn_momo", "airtel_csv": "airtel",
                    "paystack_csv": "paystack", "paynow_csv": "paynow", "bank_csv": "bank_transfer",
                    "mt940": "bank_transfer", "camt053": "bank_transfer"}
LOOKBACK_DAYS = 35  # a bank transfer may arrive weeks after the payment was created
OPERATOR = "reconciliation"


def statement_reconcile(*, statement: m.Statement, window_minutes: int = 30) -> dict:
    """Match the statement's unmatched credit lines to payments, confirm bank transfers they prove, and
    open discrepancies for what is left. Safe to run again: matched lines and open discrepancies stay."""
    from .matching import match_lines
    from .selectors import line_views, payment_views

    if isinstance(window_minutes, bool) or not isinstance(window_minutes, int) or not 0 <= window_minutes <= 1440:
        raise InvalidRequest("window_minutes must be an integer from 0 to 1440", param="window_minutes")
    provider = FORMAT_PROVIDERS[statement.format]
    with transaction.atomic():
        statement = m.Statement.objects.select_for_update().get(id=statement.id)
        lines = line_views(statement=statement)
        payments = payment_views(statement=statement, provider=provider, lookback_days=LOOKBACK_DAYS)
        results = match_lines(lines, payments, window_minutes=window_minutes)
        confirmed = _apply_matches(statement, results)
        matched_lines = {result.line_id for result in results}
        settled = _settle(statement, provider, [line for line in lines if line.kind == "settlement"])
        _open_unmatched(statement, [line for line in lines if line.id not in matched_lines
                                    and line.kind != "settlement"])
        _open_missing_in_statement(statement, provider)
        statement.reconciled_at = clock.now()
        statement.save(update_fields=["reconciled_at"])
    log.info("statement %s reconciled: %s matched, %s confirmed, %s settled", statement.id, len(results),
             confirmed, settled)
    return {"matched": len(results), "confirmed": confirmed, "settled": settled}


def _settle(statement: m.Statement, provider: str, lines) -> int:
    """Settlement lines, each matched to the many payments it paid out (see matching.match_settlement)."""
    from .matching import match_settlement, payment_net_minor
    from .selectors import settlement_payment_views

    if not lines:
        return 0
    free = {view.id: view for view in settlement_payment_views(statement=statement, provider=provider,
                                                                lookback_days=LOOKBACK_DAYS)}
    settled = 0
    for view in lines:
        line = m.StatementLine.objects.get(id=view.id)
        result = match_settlement(view, list(free.values()))
        if result is None:
            _discrepancy(statement, "settlement_unmatched", line=line, payment_id=None,
                         details={"amount": line.amount_minor, "currency": line.currency,
                                  "reason": "no set of unsettled payments adds up to this settlement"})
            continue
        now = clock.now()
        m.SettlementItem.objects.bulk_create([
            m.SettlementItem(line=line, payment_id=payment_id, statement=statement,
                             net_minor=payment_net_minor(free[payment_id]),
                             confidence_percent=result.confidence_percent, matched_at=now)
            for payment_id in result.payment_ids])
        for payment_id in result.payment_ids:
            del free[payment_id]
        settled += 1
    return settled


MATCH_BATCH = 2000


def _apply_matches(statement: m.Statement, results) -> int:
    """Every match, in batches: the plain ones (a succeeded payment, the same amount, no fee to question:
    nearly all of a gateway statement) are written with one insert and one update per batch; the rest one
    by one through `_apply_match`, which may confirm a payment or open a discrepancy. Both write the same."""
    from lipwa.payments.models import PaymentIntent

    confirmed = 0
    for start in range(0, len(results), MATCH_BATCH):
        batch = results[start:start + MATCH_BATCH]
        fees = dict(m.StatementLine.objects.filter(id__in=[r.line_id for r in batch]).values_list("id", "fee_minor"))
        payments = {row[0]: row[1:] for row in PaymentIntent.objects.filter(
            id__in=[r.payment_id for r in batch]).values_list("id", "status", "fee_minor")}
        plain = [r for r in batch if r.amount_matches and payments[r.payment_id][0] == "succeeded"
                 and fees[r.line_id] in (None, payments[r.payment_id][1])]
        now = clock.now()
        m.Match.objects.bulk_create([
            m.Match(line_id=r.line_id, payment_id=r.payment_id, statement=statement, rule=r.rule,
                    confidence_percent=r.confidence_percent, matched_at=now) for r in plain])
        m.Discrepancy.objects.filter(payment_id__in=[r.payment_id for r in plain], kind="missing_in_statement",
                                     status__in=("open", "reviewed")).update(
            status="resolved", resolved_at=now, resolution="matched", resolved_by=OPERATOR)
        written = {id(r) for r in plain}
        for result in batch:
            if id(result) not in written:
                confirmed += _apply_match(statement, result)
    return confirmed


def _apply_match(statement: m.Statement, result) -> int:
    from lipwa.payments.models import PaymentIntent
    from lipwa.payments.offline import payment_confirm_offline

    line = m.StatementLine.objects.get(id=result.line_id)
    match = m.Match.objects.create(line=line, payment_id=result.payment_id, statement=statement, rule=result.rule,
                                   confidence_percent=result.confidence_percent, matched_at=clock.now())
    # Money the statement proves resolves an earlier statement's "missing" for this payment.
    m.Discrepancy.objects.filter(payment_id=result.payment_id, kind="missing_in_statement",
                                 status__in=("open", "reviewed")).update(
        status="resolved", resolved_at=clock.now(), resolution="matched", resolved_by=OPERATOR)
    payment = PaymentIntent.objects.get(id=result.payment_id)
    if not result.amount_matches:
        _discrepancy(statement, "amount_mismatch", line=line, payment_id=payment.id,
                     details={"line_amount": line.amount_minor, "payment_amount": payment.amount_minor,
                              "currency": line.currency, "rule": match.rule})
        return 0
    if line.fee_minor is not None and line.fee_minor != payment.fee_minor:
        _discrepancy(statement, "fee_difference", line=line, payment_id=payment.id,
                     details={"line_fee": line.fee_minor, "payment_fee": payment.fee_minor,
                              "currency": line.currency})
    if payment.status == "requires_action" and payment.method == "bank_transfer":
        evidence = {"reference": line.reference or line.payer_reference or f"{statement.id}:{line.line_number}",
                    "statement": statement.id, "line": str(line.line_number)}
        try:
            payment_confirm_offline(payment_id=payment.id, operator=OPERATOR, evidence=evidence,
                                    amount_minor=line.amount_minor)
            return 1
        except (InvalidRequest, Conflict) as exc:  # e.g. flagged for review: the savepoint rolled it back
            payment.refresh_from_db()
            details = {"reason": exc.message, "code": exc.code}
    else:
        details = {"reason": f"the statement shows the money but the payment is {payment.status}"}
    if payment.status != "succeeded":
        _discrepancy(statement, "missing_in_lipwa", line=line, payment_id=payment.id,
                     details={**details, "payment_status": payment.status})
    return 0


def _open_unmatched(statement: m.Statement, lines) -> None:
    """A credit nobody expected is money lipwa does not know about (a C2B deposit without a prompt, a
    transfer quoting no reference), or a second arrival for a payment already matched (a duplicate)."""
    from .selectors import payment_already_matched

    for view in lines:
        if view.direction != "credit":
            continue
        line = m.StatementLine.objects.get(id=view.id)
        earlier = payment_already_matched(line=line)
        if earlier is not None:
            _discrepancy(statement, "duplicate", line=line, payment_id=earlier,
                         details={"reason": "the payment already matched another statement line"})
        else:
            _discrepancy(statement, "missing_in_lipwa", line=line, payment_id=None,
                         details={"amount": line.amount_minor, "currency": line.currency,
                                  "reference": line.reference, "counterparty": line.counterparty})


def _open_missing_in_statement(statement: m.Statement, provider: str) -> None:
    from .selectors import payments_missing_in_statement

    for payment_id, amount_minor in payments_missing_in_statement(statement=statement, provider=provider):
        _discrepancy(statement, "missing_in_statement", line=None, payment_id=payment_id,
                     details={"amount": amount_minor, "currency": statement.currency})


def _discrepancy(statement: m.Statement, kind: str, *, line, payment_id, details: dict) -> None:
    m.Discrepancy.objects.get_or_create(
        merchant_id=statement.merchant_id, mode=statement.mode, kind=kind, line=line, payment_id=payment_id,
        status="open", defaults={"statement": statement, "details": details, "created_at": clock.now()})
