"""Statement import (all or nothing, never duplicating a line) and reconciliation against payments."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

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
    """Match the statement's unmatched credit lines to payments, confirm bank transfers they prove, settle
    gateway settlements (a gateway's export, or a bank credit recognised as one), and open discrepancies for
    what is left. Safe to run again: matched lines, settlements and open discrepancies stay."""
    from .matching import match_lines
    from .selectors import line_views, payment_views

    if isinstance(window_minutes, bool) or not isinstance(window_minutes, int) or not 0 <= window_minutes <= 1440:
        raise InvalidRequest("window_minutes must be an integer from 0 to 1440", param="window_minutes")
    provider = FORMAT_PROVIDERS[statement.format]
    with transaction.atomic():
        statement = m.Statement.objects.select_for_update().get(id=statement.id)
        lines = line_views(statement=statement)
        settling = _settlement_lines(statement, provider, lines)
        entries = [line for line in lines if line.id not in settling and line.kind != "settlement"]
        payments = payment_views(statement=statement, provider=provider, lookback_days=LOOKBACK_DAYS)
        results = match_lines(entries, payments, window_minutes=window_minutes)
        confirmed = _apply_matches(statement, results)
        matched_lines = {result.line_id for result in results}
        settled = _settle(statement, [(line, settling[line.id]) for line in lines if line.id in settling])
        _open_unmatched(statement, [line for line in entries if line.id not in matched_lines])
        _open_missing_in_statement(statement, provider)
        statement.reconciled_at = clock.now()
        statement.save(update_fields=["reconciled_at"])
    log.info("statement %s reconciled: %s matched, %s confirmed, %s settled", statement.id, len(results),
             confirmed, settled)
    return {"matched": len(results), "confirmed": confirmed, "settled": settled}


# -- settlements ----------------------------------------------------------------------------------------------


def _settlement_lines(statement: m.Statement, provider: str, lines) -> dict[int, str]:
    """Line id → the gateway that paid it, for the lines that are settlements: a gateway export's settlement
    lines, or a bank statement's credits recognised as a gateway's payout (matching.settlement_provider)."""
    from .matching import settlement_provider
    from .selectors import settling_providers

    if provider != "bank_transfer":
        return {line.id: provider for line in lines if line.kind == "settlement"}
    gateways = settling_providers(merchant_id=statement.merchant_id, mode=statement.mode)
    found = {line.id: settlement_provider(line, gateways) for line in lines} if gateways else {}
    # A credit already linked to a gateway's settlement line stays that gateway's payout.
    found.update(m.SettlementLink.objects.filter(bank_line__statement=statement).values_list("bank_line_id",
                                                                                              "provider"))
    return {line_id: gateway for line_id, gateway in found.items() if gateway}


def _settle(statement: m.Statement, lines) -> int:
    """Each settlement line is one payout. Linked first to the other end of it (a bank credit ↔ the gateway's
    settlement line, matching.match_bank_settlements): if that end already settled its payments, nothing more
    happens. Otherwise the payments it paid out are found (matching.match_settlement), one SettlementItem is
    written for each and the ledger transfer is posted, in one savepoint: whichever end arrives first posts."""
    from .selectors import settlement_payment_views

    pools: dict[str, dict] = {}
    settled = 0
    for view, provider in lines:
        if provider not in pools:
            pools[provider] = {p.id: p for p in settlement_payment_views(statement=statement, provider=provider,
                                                                        lookback_days=LOOKBACK_DAYS)}
        line = m.StatementLine.objects.get(id=view.id)
        partner, linked_now = _settlement_partner(statement, line, view, provider)
        if partner is not None and partner.settlement_items.exists():
            _close_settled([line])
            settled += int(linked_now)  # counted by the run that linked it
            continue
        refusal = _settle_payments(statement, line, view, provider, pools[provider])
        if refusal is None:
            _close_settled([line] + ([partner] if partner is not None else []))
            settled += 1
        elif partner is None or not m.Discrepancy.objects.filter(line=partner, kind="settlement_unmatched").exists():
            _discrepancy(statement, "settlement_unmatched", line=line, payment_id=None,
                         details={"amount": line.amount_minor, "currency": line.currency, "gateway": provider,
                                  "reason": refusal})
    return settled


def _settlement_partner(statement: m.Statement, line: m.StatementLine, view, provider: str):
    """(the other end of this payout, whether it was linked just now): the line it was linked to before, else
    one found now and linked, else None."""
    from .matching import match_bank_settlements, settlement_provider
    from .selectors import (
        bank_settlement_candidates,
        gateway_settlement_candidates,
        settlement_line_partner,
        settling_providers,
    )

    partner = settlement_line_partner(line=line)
    if partner is not None:
        return partner, False
    if line.kind == "settlement":
        gateways = settling_providers(merchant_id=line.merchant_id, mode=line.mode)
        banks = [(bank, provider) for bank in bank_settlement_candidates(line=line)
                 if settlement_provider(bank, gateways) == provider]
        pairs = match_bank_settlements(banks, [(view, provider)])
    else:
        gateway_lines = gateway_settlement_candidates(line=line, provider=provider)
        pairs = match_bank_settlements([(view, provider)], [(gateway, provider) for gateway in gateway_lines])
    if not pairs:
        return None, False
    [pair] = pairs
    try:
        with transaction.atomic():  # a concurrent reconciliation may link either line first
            link = m.SettlementLink.objects.create(
                bank_line_id=pair.bank_line_id, gateway_line_id=pair.gateway_line_id, provider=provider,
                statement=statement, rule=pair.rule, confidence_percent=pair.confidence_percent,
                matched_at=clock.now())
    except IntegrityError:
        return settlement_line_partner(line=line), False
    return (link.gateway_line if link.bank_line_id == line.id else link.bank_line), True


class _AlreadySettled(Exception):
    def __init__(self, payment_ids: set[str]) -> None:
        super().__init__(sorted(payment_ids))
        self.payment_ids = payment_ids


def _settle_payments(statement: m.Statement, line: m.StatementLine, view, provider: str, pool: dict) -> str | None:
    """Settle the payments this line paid out and post the ledger transfer; None when done, else why not.
    The payment rows are locked (ascending id, before the ledger accounts: the documented order) and checked
    unsettled again, so two reconciliations can never settle a payment twice; one that lost the race looks
    again without the payments the other took."""
    from lipwa.ledger.postings import settlement_paid_out
    from lipwa.ledger.services import LedgerError
    from lipwa.payments.models import PaymentIntent

    from .matching import match_settlement, payment_net_minor
    from .selectors import settled_payments

    while (result := match_settlement(view, list(pool.values()))) is not None:
        ids = sorted(result.payment_ids)
        try:
            with transaction.atomic():
                list(PaymentIntent.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id"))
                taken = set(m.SettlementItem.objects.filter(payment_id__in=ids).values_list("payment_id", flat=True))
                if taken:
                    raise _AlreadySettled(taken)
                now = clock.now()
                m.SettlementItem.objects.bulk_create([
                    m.SettlementItem(line=line, payment_id=payment_id, statement=statement,
                                     net_minor=payment_net_minor(pool[payment_id]),
                                     confidence_percent=result.confidence_percent, matched_at=now)
                    for payment_id in result.payment_ids])
                settlement_paid_out(merchant_id=line.merchant_id, mode=line.mode, currency=line.currency,
                                    settlement_id=settlement_transfer_key(line),
                                    payments=settled_payments(payment_ids=ids),
                                    description=f"{provider} settlement {line.reference or line.id}"[:120])
        except _AlreadySettled as exc:
            for payment_id in exc.payment_ids:
                pool.pop(payment_id, None)
            continue
        except LedgerError as exc:
            return f"the ledger refused the settlement ({exc.code}): {exc.message}"
        for payment_id in ids:
            del pool[payment_id]
        return None
    return "no set of unsettled payments adds up to this settlement"


def settlement_transfer_key(line: m.StatementLine) -> str:
    """The ledger transfer ids of a settlement start with this: one line, one posting, however often the
    statement is reconciled (see ledger.postings.settlement_paid_out)."""
    return f"settlement:{line.id}"


def _close_settled(lines) -> None:
    """A settled payout explains its lines: an earlier 'unmatched settlement' or 'missing in lipwa' (a bank
    credit reconciled before it was recognised) closes as matched."""
    m.Discrepancy.objects.filter(line__in=lines, kind__in=("settlement_unmatched", "missing_in_lipwa"),
                                 status__in=("open", "reviewed")).update(
        status="resolved", resolved_at=clock.now(), resolution="matched", resolved_by=OPERATOR)


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
