"""Statement import (all or nothing, never duplicating a line) and reconciliation against payments."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest
from lipwa.common.money import CURRENCY_EXPONENTS
from lipwa.merchants.models import Merchant

from . import models as m
from .parsers import PARSERS, PRESETS, StatementLine, StatementParseError

log = logging.getLogger("lipwa.reconciliation")

STATEMENT_BYTES_MAX = 20 * 1024 * 1024


def statement_import(*, merchant: Merchant, mode: str, format: str, filename: str, data: bytes,
                     preset: str | None = None, currency: str | None = None,
                     imported_by: str = "system") -> m.Statement:
    """Parse the file and store its lines in one transaction; any bad line stores nothing.

    Lines already stored for the same merchant, mode and source (an identical file, or an overlapping period)
    are counted as known and not stored again.
    """
    _check_request(format, preset, currency, data)
    try:
        lines = PARSERS[format](data, currency=currency, preset=preset)
    except StatementParseError as exc:
        raise InvalidRequest(f"{filename}: {exc}", param="file", code="statement_invalid") from None
    currency = _currency(lines, currency, format, filename)
    source = _source(format, preset, lines)
    by_fingerprint: dict[str, StatementLine] = {}
    for line in lines:
        by_fingerprint.setdefault(line_fingerprint(line), line)
    try:
        with transaction.atomic():
            statement = _store(merchant, mode, format, preset or "", source, currency, filename, data,
                               lines, by_fingerprint, imported_by)
    except IntegrityError:
        raise Conflict("another import of overlapping lines ran at the same time; import again",
                       code="statement_import_conflict") from None
    log.info("statement %s imported: %s lines, %s new", statement.id, len(lines), statement.lines_new)
    return statement


def _check_request(format: str, preset: str | None, currency: str | None, data: bytes) -> None:
    if format not in PARSERS:
        raise InvalidRequest(f"unknown format {format!r}; one of {', '.join(PARSERS)}", param="format",
                             code="format_unknown")
    if format == "bank_csv" and not preset:
        raise InvalidRequest(f"a bank CSV needs a preset: one of {', '.join(sorted(PRESETS))}", param="preset",
                             code="preset_required")
    if preset is not None and (format != "bank_csv" or preset not in PRESETS):
        raise InvalidRequest(f"preset {preset!r} is not one of {', '.join(sorted(PRESETS))} (bank_csv only)",
                             param="preset", code="preset_unknown")
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        raise InvalidRequest(f"unsupported currency {currency!r}", param="currency", code="currency_not_supported")
    if not isinstance(data, bytes | bytearray) or len(data) > STATEMENT_BYTES_MAX:
        raise InvalidRequest(f"the file must be at most {STATEMENT_BYTES_MAX} bytes", param="file",
                             code="file_too_large")


def _currency(lines: list[StatementLine], currency: str | None, format: str, filename: str) -> str:
    for line in lines:
        if currency and line.currency != currency:
            raise InvalidRequest(f"{filename}: line {line.line_number} is in {line.currency}, not {currency}",
                                 param="file", code="statement_invalid")
        currency = line.currency
    if not currency:
        raise InvalidRequest(f"{filename} has no lines and says no currency: give one", param="currency")
    return currency


def _source(format: str, preset: str | None, lines: list[StatementLine]) -> str:
    """Where references are unique: the M-Pesa account, the bank account the file names, or the preset."""
    if format == "mpesa_csv":
        return "mpesa"
    account = next((line.account for line in lines if line.account), "")
    return f"account:{account}"[:120] if account else f"{format}:{preset or ''}"


def line_fingerprint(line: StatementLine) -> str:
    """The gateway's or bank's reference where there is one (with the direction and amount, because an
    M-Pesa charge row repeats its payment's receipt), else a digest of everything that describes the line."""
    if line.reference:
        return f"ref:{line.reference}|{line.direction}|{line.amount_minor}"[:200]
    described = "|".join(str(part) for part in (line.booked_at.isoformat(), line.direction, line.amount_minor,
                                                 line.currency, line.counterparty, line.description,
                                                 line.payer_reference, line.balance_minor))
    return "sha256:" + hashlib.sha256(described.encode()).hexdigest()


def _store(merchant, mode, format, preset, source, currency, filename, data, lines, by_fingerprint,
           imported_by) -> m.Statement:
    known = set(m.StatementLine.objects.filter(merchant=merchant, mode=mode, source=source,
                                               fingerprint__in=list(by_fingerprint))
                .values_list("fingerprint", flat=True))
    fresh = {fp: line for fp, line in by_fingerprint.items() if fp not in known}
    starts = [line.booked_at for line in lines]
    ends = [line.booked_at + (timedelta(days=1) if line.date_only else timedelta()) for line in lines]
    statement = m.Statement.objects.create(
        merchant=merchant, mode=mode, format=format, preset=preset, source=source, currency=currency,
        filename=filename[:255], file_sha256=hashlib.sha256(data).hexdigest(),
        period_start=min(starts, default=None), period_end=max(ends, default=None), imported_at=clock.now(),
        imported_by=imported_by[:150], lines_in_file=len(lines), lines_new=len(fresh),
        lines_known=len(lines) - len(fresh))
    m.StatementLine.objects.bulk_create([
        m.StatementLine(statement=statement, merchant=merchant, mode=mode, source=source, fingerprint=fp,
                        line_number=line.line_number, reference=line.reference[:120],
                        payer_reference=line.payer_reference[:140], amount_minor=line.amount_minor,
                        currency=line.currency, direction=line.direction, counterparty=line.counterparty[:140],
                        booked_at=line.booked_at, date_only=line.date_only, description=line.description[:1000],
                        balance_minor=line.balance_minor, raw=line.raw)
        for fp, line in fresh.items()])
    audit_record(merchant_id=merchant.id, actor=imported_by, action="statement.import", object_type="statement",
                 object_id=statement.id, details={"format": format, "filename": filename, "lines": len(lines),
                                                  "new": len(fresh), "sha256": statement.file_sha256})
    return statement


# -- reconciliation -----------------------------------------------------------------------------------------

# Which payments a statement can contain: an M-Pesa statement holds M-Pesa payments; a bank statement holds
# bank transfers. Gateways are named as strings, never imported (reconciliation is core).
FORMAT_PROVIDERS = {"mpesa_csv": "mpesa", "bank_csv": "bank_transfer", "mt940": "bank_transfer",
                    "camt053": "bank_transfer"}
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
        confirmed = 0
        for result in results:
            confirmed += _apply_match(statement, result)
        matched_lines = {result.line_id for result in results}
        _open_unmatched(statement, [line for line in lines if line.id not in matched_lines])
        _open_missing_in_statement(statement, provider)
        statement.reconciled_at = clock.now()
        statement.save(update_fields=["reconciled_at"])
    log.info("statement %s reconciled: %s matched, %s confirmed", statement.id, len(results), confirmed)
    return {"matched": len(results), "confirmed": confirmed}


def _apply_match(statement: m.Statement, result) -> int:
    from lipwa.payments.models import PaymentIntent
    from lipwa.payments.offline import payment_confirm_offline

    line = m.StatementLine.objects.get(id=result.line_id)
    match = m.Match.objects.create(line=line, payment_id=result.payment_id, statement=statement, rule=result.rule,
                                   confidence_percent=result.confidence_percent, matched_at=clock.now())
    # Money the statement proves resolves an earlier statement's "missing" for this payment.
    m.Discrepancy.objects.filter(payment_id=result.payment_id, kind="missing_in_statement", status="open").update(
        status="resolved", resolved_at=clock.now())
    payment = PaymentIntent.objects.get(id=result.payment_id)
    if not result.amount_matches:
        _discrepancy(statement, "amount_mismatch", line=line, payment_id=payment.id,
                     details={"line_amount": line.amount_minor, "payment_amount": payment.amount_minor,
                              "currency": line.currency, "rule": match.rule})
        return 0
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
