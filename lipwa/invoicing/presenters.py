"""The public JSON shape of invoices and schedules."""

from __future__ import annotations

from .models import Invoice, Schedule
from .totals import quantity_string


def _unix(value) -> int | None:
    return int(value.timestamp()) if value else None


def invoice_to_dict(invoice: Invoice) -> dict:
    return {
        "id": invoice.id,
        "object": "invoice",
        "livemode": invoice.mode == "live",
        "number": invoice.number or None,
        "status": invoice.status,
        "currency": invoice.currency,
        "customer": invoice.customer or None,
        "description": invoice.description or None,
        "lines": [{"description": line.description, "quantity": quantity_string(line.quantity_milli),
                   "unit_amount": line.unit_amount_minor, "tax_rate": line.tax_rate_bp,
                   "amount": line.amount_minor, "tax": line.tax_minor} for line in invoice.lines.all()],
        "subtotal": invoice.subtotal_minor,
        "tax": invoice.tax_minor,
        "total": invoice.total_minor,
        "amount_paid": invoice.amount_paid_minor,
        "amount_due": invoice.amount_due_minor,
        "amount_overpaid": max(invoice.amount_paid_minor - invoice.total_minor, 0),
        "due_date": invoice.due_date.isoformat(),
        "schedule": invoice.schedule_id,
        "instalment": invoice.instalment,
        "created": _unix(invoice.created_at),
        "issued_at": _unix(invoice.issued_at),
        "paid_at": _unix(invoice.paid_at),
        "voided_at": _unix(invoice.voided_at),
    }


def schedule_to_dict(schedule: Schedule) -> dict:
    invoices = list(schedule.invoices.order_by("instalment"))
    paid = sum(i.amount_paid_minor for i in invoices)
    due = sum(i.amount_due_minor for i in invoices if i.status != "void")
    return {
        "id": schedule.id,
        "object": "schedule",
        "livemode": schedule.mode == "live",
        "currency": schedule.currency,
        "total": schedule.total_minor,
        "amount_paid": paid,
        "amount_due": due,
        "description": schedule.description,
        "customer": schedule.customer or None,
        "status": "paid" if invoices and all(i.status == "paid" for i in invoices) else "active",
        "instalments": [invoice_to_dict(i) for i in invoices],
        "created": _unix(schedule.created_at),
    }
