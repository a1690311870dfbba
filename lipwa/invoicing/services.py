"""Invoice services: every state change is one transaction; numbers are assigned under a counter-row lock.

Lock order: invoice, then its counter row. Payment successes and refunds reach invoices through the
`event_recorded` signal, inside the payment's own transaction (payment row locked first, then the invoice).
Status changes record `invoice.<status>` events (merchant webhooks) in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.money import CurrencyError, currency_exponent
from lipwa.common.phones import InvalidPhone, default_country_for_currency, parse_phone
from lipwa.merchants.models import Merchant
from lipwa.payments.services import payment_create

from .events import invoice_event
from .models import Invoice, InvoiceCounter, InvoiceLine, InvoicePayment, InvoiceRefund
from .totals import Line, lines_parse, totals

log = logging.getLogger("lipwa.invoicing")

PAYABLE = ("open", "partially_paid", "overdue")


def validate_currency(currency: object) -> str:
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise InvalidRequest("currency must be an upper-case ISO 4217 code such as KES", param="currency")
    try:
        currency_exponent(currency)
    except CurrencyError:
        raise InvalidRequest(f"currency {currency} is not supported", param="currency",
                             code="currency_not_supported") from None
    return currency


def validate_customer(customer: dict | None, currency: str) -> dict:
    customer = {k: v for k, v in (customer or {}).items() if v not in (None, "")}
    if "email" in customer and "@" not in customer["email"]:
        raise InvalidRequest("customer.email is not an email address", param="customer.email")
    if "phone" in customer:
        try:
            customer["phone"] = parse_phone(customer["phone"], default_country_for_currency(currency)).e164
        except InvalidPhone as exc:
            raise InvalidRequest(f"{exc}; send it in international form, e.g. +254712345678",
                                 param="customer.phone", code="invalid_phone") from None
    return customer


def validate_due_date(due_date: object, param: str = "due_date") -> date:
    if not isinstance(due_date, date):
        raise InvalidRequest("due_date must be a date (YYYY-MM-DD)", param=param)
    if due_date < clock.now().date():
        raise InvalidRequest("due_date must not be in the past", param=param, code="due_date_in_past")
    return due_date


def invoice_create(*, merchant: Merchant, mode: str, currency: str, lines: list[dict], due_date: date,
                   customer: dict | None = None, description: str = "") -> Invoice:
    """A draft: totals are computed and stored now, the number comes when it is issued."""
    currency = validate_currency(currency)
    parsed = lines_parse(lines)
    due_date = validate_due_date(due_date)
    customer = validate_customer(customer, currency)
    with transaction.atomic():
        return invoice_build(merchant=merchant, mode=mode, currency=currency, lines=parsed, due_date=due_date,
                             customer=customer, description=description)


def invoice_build(*, merchant: Merchant, mode: str, currency: str, lines: list[Line], due_date: date,
                  customer: dict, description: str, schedule=None, instalment: int | None = None) -> Invoice:
    """Persist a validated draft (the caller holds the transaction)."""
    subtotal, tax, total = totals(lines)
    if total <= 0:
        raise InvalidRequest("an invoice's total must be greater than zero", param="lines", code="invoice_empty")
    now = clock.now()
    invoice = Invoice.objects.create(
        merchant=merchant, mode=mode, currency=currency, customer=customer, description=description,
        subtotal_minor=subtotal, tax_minor=tax, total_minor=total, due_date=due_date, schedule=schedule,
        instalment=instalment, created_at=now, updated_at=now)
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=i, description=line.description, quantity_milli=line.quantity_milli,
                    unit_amount_minor=line.unit_amount_minor, tax_rate_bp=line.tax_rate_bp,
                    amount_minor=line.amount_minor, tax_minor=line.tax_minor)
        for i, line in enumerate(lines, start=1)])
    return invoice


def _lock(merchant: Merchant, mode: str, invoice_id: str) -> Invoice:
    invoice = Invoice.objects.select_for_update().filter(id=invoice_id, merchant=merchant, mode=mode).first()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", param="id")
    return invoice


def invoice_issue(*, merchant: Merchant, mode: str, invoice_id: str) -> Invoice:
    with transaction.atomic():
        invoice = _lock(merchant, mode, invoice_id)
        if invoice.status != "draft":
            raise Conflict(f"invoice {invoice.id} is {invoice.status}; only a draft can be issued",
                           code="invoice_not_draft")
        number_assign(invoice)
    log.info("invoice %s issued as %s", invoice.id, invoice.number)
    return invoice


def number_assign(invoice: Invoice) -> None:
    """Give a locked draft the next number of its (merchant, mode, year) and open it.

    The counter row is created in a savepoint (two first issuers of a year: the loser's insert fails on the
    unique key and it locks the winner's row instead), then locked; the number and the counter commit together,
    so a rolled-back issue leaves no gap."""
    now = clock.now()
    key = {"merchant_id": invoice.merchant_id, "mode": invoice.mode, "year": now.year}
    if not InvoiceCounter.objects.filter(**key).exists():
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(**key)
        except IntegrityError:
            pass
    counter = InvoiceCounter.objects.select_for_update().get(**key)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    invoice.number = f"INV-{now.year}-{counter.last_number:06d}"
    invoice.status = "open"
    invoice.issued_at = invoice.updated_at = now
    invoice.save(update_fields=["number", "status", "issued_at", "updated_at"])


def invoice_void(*, merchant: Merchant, mode: str, invoice_id: str) -> Invoice:
    with transaction.atomic():
        invoice = _lock(merchant, mode, invoice_id)
        if invoice.status in ("void", "paid"):
            raise Conflict(f"invoice {invoice.id} is {invoice.status} and cannot be voided",
                           code=f"invoice_{invoice.status}")
        if invoice.amount_paid_minor:
            # Voiding would strand money the customer paid; refunds of invoice payments are not built yet.
            raise Conflict(f"invoice {invoice.id} has payments; it cannot be voided", code="invoice_has_payments")
        invoice.status = "void"
        invoice.voided_at = invoice.updated_at = clock.now()
        invoice.save(update_fields=["status", "voided_at", "updated_at"])
        invoice_event(invoice, "invoice.voided")
    return invoice


def invoice_pay_link(*, merchant: Merchant, mode: str, invoice_id: str, method: str,
                     phone: str | None = None, provider: str | None = None, amount: int | None = None):
    """Create (and send to the gateway) a payment for what is still due (or `amount` of it, an instalment the
    customer chose); the customer's phone by default."""
    invoice = Invoice.objects.filter(id=invoice_id, merchant=merchant, mode=mode).first()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", param="id")
    if invoice.status == "draft":
        raise Conflict(f"invoice {invoice.id} is a draft; issue it first", code="invoice_not_issued")
    if invoice.status not in PAYABLE or invoice.amount_due_minor <= 0:
        raise Conflict(f"invoice {invoice.id} is {invoice.status}; nothing to pay", code=f"invoice_{invoice.status}")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)
                               or not 0 < amount <= invoice.amount_due_minor):
        raise InvalidRequest(f"amount must be an integer from 1 to the {invoice.amount_due_minor} minor units due",
                             param="amount", code="invalid_amount")
    # No lock is held across the gateway call; a payment that succeeds after a void still counts (money moved).
    return payment_create(
        merchant=merchant, mode=mode, amount=amount or invoice.amount_due_minor, currency=invoice.currency,
        method=method, provider=provider, phone=phone or invoice.customer.get("phone"),
        customer=invoice.customer or None,
        merchant_reference=invoice.number, description=(invoice.description or f"Invoice {invoice.number}")[:500],
        metadata={"invoice": invoice.id})


def invoice_apply_payment_event(*, event) -> None:
    """Receiver of `event_recorded`: a succeeded payment naming an invoice pays it, once; a succeeded refund
    of such a payment takes its amount back off `amount_paid`, once. Both in the payment's transaction."""
    if event.type not in ("payment.succeeded", "refund.succeeded") or event.payment_id is None:
        return
    payment = event.payment
    invoice_id = (payment.metadata or {}).get("invoice")
    if not invoice_id:
        return
    invoice = Invoice.objects.select_for_update().filter(
        id=invoice_id, merchant_id=payment.merchant_id, mode=payment.mode).first()
    if invoice is None or invoice.currency != payment.currency:
        log.warning("payment %s names invoice %s, which it cannot pay", payment.id, invoice_id)
        return
    if event.type == "payment.succeeded":
        _apply_payment(invoice, payment)
    else:
        _apply_refund(invoice, payment, event.data.get("object") or {})


def _apply_payment(invoice: Invoice, payment) -> None:
    if InvoicePayment.objects.filter(payment_id=payment.id).exists():
        return
    now = clock.now()
    InvoicePayment.objects.create(invoice=invoice, payment_id=payment.id, amount_minor=payment.amount_minor,
                                  applied_at=now)
    invoice.amount_paid_minor += payment.amount_minor
    before = invoice.status
    if invoice.status in PAYABLE:
        if invoice.amount_due_minor == 0:
            invoice.status, invoice.paid_at = "paid", now
        elif invoice.status == "open":
            invoice.status = "partially_paid"
    _save_with_event(invoice, before, now)


def _apply_refund(invoice: Invoice, payment, refund: dict) -> None:
    """Money given back is no longer paid: `amount_paid` drops by the refund and a paid invoice reopens
    (partially paid while something remains, else open). Void and overdue invoices keep their status."""
    refund_id, amount = refund.get("id"), refund.get("amount")
    if not refund_id or not isinstance(amount, int) or amount <= 0:
        log.warning("refund event of payment %s without a refund id or amount", payment.id)
        return
    if not InvoicePayment.objects.filter(invoice=invoice, payment_id=payment.id).exists():
        return  # the payment never counted towards this invoice
    if InvoiceRefund.objects.filter(refund_id=refund_id).exists():
        return
    now = clock.now()
    InvoiceRefund.objects.create(invoice=invoice, refund_id=refund_id, payment_id=payment.id, amount_minor=amount,
                                 applied_at=now)
    invoice.amount_paid_minor -= amount
    before = invoice.status
    if invoice.status in ("paid", "partially_paid") and invoice.amount_due_minor > 0:
        invoice.status = "partially_paid" if invoice.amount_paid_minor > 0 else "open"
        invoice.paid_at = None
    _save_with_event(invoice, before, now)


def _save_with_event(invoice: Invoice, before: str, now) -> None:
    invoice.updated_at = now
    invoice.save(update_fields=["amount_paid_minor", "status", "paid_at", "updated_at"])
    if invoice.status != before and invoice.status in ("paid", "partially_paid"):
        invoice_event(invoice, f"invoice.{invoice.status}")
