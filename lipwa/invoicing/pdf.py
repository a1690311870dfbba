"""An invoice as a one-page-per-25-lines PDF, drawn with reportlab's canvas (no templates, no fonts to ship)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from lipwa.common.money import Money

from .models import Invoice
from .totals import quantity_string

LINES_PER_PAGE = 25


def _money(amount_minor: int, currency: str) -> str:
    return f"{currency} {Money(amount_minor, currency).major_string()}"


def _percent(basis_points: int) -> str:
    whole, part = divmod(basis_points, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """`compress=False` (tests) leaves the content stream readable; invariant output is byte-stable."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1 if compress else 0)
    title = f"Invoice {invoice.number}" if invoice.number else "Draft invoice"
    canvas.setTitle(title)
    width, height = A4
    y = height - 60
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, y, invoice.merchant.name)
    canvas.drawRightString(width - 50, y, title)
    canvas.setFont("Helvetica", 10)
    y -= 22
    for text in (f"Status: {invoice.status}", f"Due date: {invoice.due_date.isoformat()}",
                 *(f"Bill to: {invoice.customer[k]}" for k in ("name", "email", "phone") if invoice.customer.get(k))):
        canvas.drawString(50, y, text)
        y -= 14
    y -= 10
    canvas.setFont("Helvetica-Bold", 10)
    for x, heading in ((50, "Description"), (300, "Qty"), (350, "Unit"), (440, "Tax"), (width - 50, "Amount")):
        (canvas.drawRightString if x == width - 50 else canvas.drawString)(x, y, heading)
    canvas.setFont("Helvetica", 10)
    for index, line in enumerate(invoice.lines.all()):
        if index and index % LINES_PER_PAGE == 0:
            canvas.showPage()
            canvas.setFont("Helvetica", 10)
            y = height - 60
        y -= 14
        canvas.drawString(50, y, line.description[:45])
        canvas.drawString(300, y, quantity_string(line.quantity_milli))
        canvas.drawString(350, y, _money(line.unit_amount_minor, invoice.currency))
        canvas.drawString(440, y, _percent(line.tax_rate_bp))
        canvas.drawRightString(width - 50, y, _money(line.amount_minor, invoice.currency))
    y -= 24
    for label, amount in (("Subtotal", invoice.subtotal_minor), ("Tax", invoice.tax_minor),
                          ("Total", invoice.total_minor), ("Paid", invoice.amount_paid_minor),
                          ("Amount due", invoice.amount_due_minor)):
        canvas.drawString(350, y, label)
        canvas.drawRightString(width - 50, y, _money(amount, invoice.currency))
        y -= 14
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
