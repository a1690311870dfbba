"""Attaching an unmatched credit (a C2B deposit made without a prompt, a transfer quoting no reference) to
the payment or invoice it was for, as an operator decides.

The money is applied through the core, never beside it: a bank transfer awaiting its money is confirmed
with the line as evidence (`payment_confirm_offline`); a mobile-money payment still open gets the
statement's success applied to its open attempt (`attempt_apply_result`, source `operator`), with the
statement's receipt. Either way the CHARGE, the `payment.succeeded` event, the merchant's webhooks and, for
a payment made for an invoice, the invoice's payment are the ordinary ones. An invoice is paid through its
own open payment of that amount (a pay link) when it has one; otherwise (a paybill deposit quoting the
invoice, a transfer with no reference) the line becomes a payment of its own for the invoice, recorded as
received (`payments.received.payment_record_received`): no gateway is asked, the line is the evidence.
"""

from __future__ import annotations

import logging

from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.money import Money
from lipwa.connectors.types import ChargeResult, ResultStatus

from . import models as m

log = logging.getLogger("lipwa.reconciliation")

ATTACHABLE_STATUSES = ("pending", "processing", "requires_action")


def attach_unmatched_line(line: m.StatementLine, *, payment=None, invoice=None, actor: str) -> m.Match:
    """Match an unmatched credit line to a payment (or to an invoice's open payment) and apply the money."""
    from lipwa.payments.models import PaymentIntent

    if (payment is None) == (invoice is None):
        raise InvalidRequest("attach the line to a payment or to an invoice (one of them)", param="payment",
                             code="target_required")
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidRequest("say who attaches the line", param="actor", code="actor_required")
    if invoice is not None:
        payment = _invoice_payment(line, invoice)
    with transaction.atomic():
        line = m.StatementLine.objects.select_for_update().select_related("statement").get(id=line.id)
        _check_line(line)
        if payment is None:  # an invoice with no open payment of this amount
            locked = _record_for_invoice(line, invoice, actor.strip())
        else:
            locked = PaymentIntent.objects.select_for_update().filter(id=payment.id).first()
            _check_payment(line, locked)
            _apply(line, locked, actor.strip())
        match = m.Match.objects.create(line=line, payment_id=locked.id, statement=line.statement, rule="operator",
                                       confidence_percent=100, matched_at=clock.now())
        m.Discrepancy.objects.filter(line=line, status__in=("open", "reviewed")).update(
            status="resolved", resolution="attach", resolved_at=clock.now(), resolved_by=actor.strip()[:150],
            payment_id=locked.id)
        audit_record(merchant_id=line.merchant_id, actor=actor, action="statement_line.attach",
                     object_type="statement_line", object_id=str(line.id),
                     details={"payment": locked.id, "invoice": getattr(invoice, "id", None),
                              "statement": line.statement_id, "amount": line.amount_minor})
    log.info("statement line %s attached to payment %s by %s", line.id, match.payment_id, actor)
    return match


def _invoice_payment(line: m.StatementLine, invoice):
    from lipwa.payments.models import PaymentIntent

    if (invoice.merchant_id, invoice.mode) != (line.merchant_id, line.mode):
        raise NotFound(f"no invoice {invoice.id}", param="invoice", code="invoice_not_found")
    if invoice.currency != line.currency:
        raise InvalidRequest(f"invoice {invoice.id} is in {invoice.currency}, the line in {line.currency}",
                             param="invoice", code="currency_mismatch")
    payment = (PaymentIntent.objects.filter(merchant_id=line.merchant_id, mode=line.mode, currency=line.currency,
                                            metadata__invoice=invoice.id, amount_minor=line.amount_minor,
                                            status__in=ATTACHABLE_STATUSES)
               .exclude(id__in=m.Match.objects.values("payment_id")).order_by("-created_at").first())
    if payment is None and line.statement.format not in RECEIVED_METHODS:
        raise Conflict(f"invoice {invoice.id} has no open payment of {Money(line.amount_minor, line.currency)}: "
                       "create one (POST /v1/invoices/{id}/pay with this amount), then attach the line",
                       param="invoice", code="invoice_no_open_payment")
    return payment


# Statements whose credits can arrive without lipwa asking (a paybill or till deposit, a bank transfer): the
# method and gateway of the payment such a line becomes. A card gateway's lines always have a payment.
RECEIVED_METHODS = {"mpesa_csv": ("mobile_money", "mpesa"), "mtn_momo_csv": ("mobile_money", "mtn_momo"),
                    "airtel_csv": ("mobile_money", "airtel"), "bank_csv": ("bank_transfer", "bank_transfer"),
                    "mt940": ("bank_transfer", "bank_transfer"), "camt053": ("bank_transfer", "bank_transfer")}


def _record_for_invoice(line: m.StatementLine, invoice, actor: str):
    """The line's money as a payment of its own for the invoice (part of what is due, or all of it)."""
    from lipwa.invoicing.models import Invoice
    from lipwa.payments.received import payment_record_received

    # Checked before (for the message) and after (under the lock the payment's success takes on the invoice,
    # after the ledger's, the documented order): locking the invoice first could deadlock with another payment
    # of it, and a concurrent payment could overpay it in between; the second check rolls this one back.
    _check_invoice_takes(Invoice.objects.get(id=invoice.id), line)
    method, provider = RECEIVED_METHODS[line.statement.format]
    payment = payment_record_received(
        merchant=invoice.merchant, mode=line.mode, method=method, provider=provider, amount_minor=line.amount_minor,
        currency=line.currency, receipt_number=line.reference or f"{line.statement_id}:{line.line_number}",
        operator=actor, evidence={"statement": line.statement_id, "line": str(line.line_number)},
        metadata={"invoice": invoice.id}, merchant_reference=invoice.number or "",
        description=(invoice.description or f"Invoice {invoice.number}")[:500], customer=invoice.customer or None)
    paid = Invoice.objects.select_for_update().get(id=invoice.id)
    if paid.amount_paid_minor > paid.total_minor:  # another payment of it committed in between
        _refuse_overpayment(line, paid, max(paid.total_minor - paid.amount_paid_minor + line.amount_minor, 0))
    return payment


def _check_invoice_takes(invoice, line: m.StatementLine) -> None:
    from lipwa.invoicing.services import PAYABLE

    if invoice.status not in PAYABLE or invoice.amount_due_minor <= 0:
        raise Conflict(f"invoice {invoice.id} is {invoice.status}; nothing is due on it", param="invoice",
                       code=f"invoice_{invoice.status}")
    if line.amount_minor > invoice.amount_due_minor:
        _refuse_overpayment(line, invoice, invoice.amount_due_minor)


def _refuse_overpayment(line: m.StatementLine, invoice, due_minor: int) -> None:
    raise Conflict(f"line {line.line_number} is {Money(line.amount_minor, line.currency)} but only "
                   f"{Money(due_minor, invoice.currency)} is due on invoice {invoice.id}: an overpayment is not "
                   "attached automatically", param="invoice", code="invoice_overpaid")


def _check_line(line: m.StatementLine) -> None:
    if line.direction != "credit" or line.kind != "entry":
        raise Conflict(f"line {line.line_number} is a {line.kind} {line.direction}; only an incoming payment can "
                       "be attached", code="line_not_attachable")
    if m.Match.objects.filter(line=line).exists():
        raise Conflict(f"line {line.line_number} is already matched", code="line_already_matched")


def _check_payment(line: m.StatementLine, payment) -> None:
    if payment is None or (payment.merchant_id, payment.mode) != (line.merchant_id, line.mode):
        raise NotFound("no such payment", param="payment", code="payment_not_found")
    if payment.currency != line.currency:
        raise InvalidRequest(f"payment {payment.id} is in {payment.currency}, the line in {line.currency}",
                             param="payment", code="currency_mismatch")
    if payment.amount_minor != line.amount_minor:
        raise InvalidRequest(f"payment {payment.id} is for {Money(payment.amount_minor, payment.currency)}, the "
                             f"line is {Money(line.amount_minor, line.currency)}", param="payment",
                             code="amount_mismatch")
    if m.Match.objects.filter(payment_id=payment.id).exists():
        raise Conflict(f"payment {payment.id} already matches another statement line", param="payment",
                       code="payment_already_matched")
    if payment.status not in ATTACHABLE_STATUSES:
        raise Conflict(f"payment {payment.id} is {payment.status}; only an open payment can receive a line",
                       param="payment", code="payment_not_attachable")


def _apply(line: m.StatementLine, payment, actor: str) -> None:
    from lipwa.payments.offline import payment_confirm_offline
    from lipwa.payments.results import attempt_apply_result

    reference = line.reference or f"{line.statement_id}:{line.line_number}"
    if payment.method == "bank_transfer":
        payment_confirm_offline(payment_id=payment.id, operator=actor, amount_minor=line.amount_minor,
                                evidence={"reference": reference, "statement": line.statement_id,
                                          "line": str(line.line_number)})
        return
    attempt = payment.attempts.exclude(status__in=("succeeded", "failed", "cancelled", "expired")).order_by(
        "-created_at", "-id").first()
    if attempt is None:
        raise Conflict(f"payment {payment.id} has no open attempt to apply the line to", param="payment",
                       code="payment_not_attachable")
    result = attempt_apply_result(attempt_id=attempt.id, source="operator", result=ChargeResult(
        ResultStatus.SUCCEEDED, gateway_reference=attempt.gateway_reference, receipt_number=line.reference or None,
        amount=Money(line.amount_minor, line.currency), gateway_status="statement_line",
        gateway_message=f"statement {line.statement_id} line {line.line_number}, attached by {actor}"))
    if result.status != "succeeded":
        raise Conflict(f"payment {payment.id} could not be completed from the statement; it is flagged for review",
                       param="payment", code="payment_not_attachable")
