"""PDF receipts for successful payments: merchant, amount, method, provider, receipt number, date, and a QR
code of the receipt's own URL, so a printed copy leads back to the original."""

from __future__ import annotations

import io

from django.conf import settings
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from lipwa.common.errors import Conflict
from lipwa.common.money import Money
from lipwa.payments.models import PaymentIntent

from .selectors import checkout_session_for_payment

METHOD_LABELS = {"mobile_money": "Mobile money", "card": "Card", "bank_transfer": "Bank transfer",
                 "cash": "Cash"}


def receipt_url(payment: PaymentIntent) -> str:
    session = checkout_session_for_payment(payment_id=payment.id)
    if session is not None:
        return f"{settings.LIPWA_PUBLIC_URL}/pay/{session.id}/receipt.pdf"
    return f"{settings.LIPWA_PUBLIC_URL}/v1/payments/{payment.id}/receipt"


def receipt_lines(payment: PaymentIntent) -> list[tuple[str, str]]:
    paid_at = payment.succeeded_at or payment.updated_at
    return [
        ("Merchant", payment.merchant.name),
        ("Amount", str(Money(payment.amount_minor, payment.currency))),
        ("Method", METHOD_LABELS.get(payment.method, payment.method)),
        ("Provider", payment.provider),
        ("Receipt number", payment.receipt_number or payment.gateway_reference or "-"),
        ("Reference", payment.merchant_reference or "-"),
        ("Payment", payment.id),
        ("Date", paid_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]


def receipt_pdf(payment: PaymentIntent) -> bytes:
    """Uncompressed and invariant (no timestamps in the file), so the same payment gives the same bytes and
    its text can be searched in tests."""
    if payment.status != "succeeded":
        raise Conflict(f"payment {payment.id} is {payment.status}; only a paid payment has a receipt",
                       code="payment_not_succeeded")
    buffer = io.BytesIO()
    width, height = A6
    pdf = canvas.Canvas(buffer, pagesize=A6, pageCompression=0, invariant=1)
    pdf.setTitle(f"Receipt {payment.id}")
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(10 * mm, height - 14 * mm, "Payment receipt")
    y = height - 24 * mm
    for label, value in receipt_lines(payment):
        pdf.setFont("Helvetica", 7)
        pdf.drawString(10 * mm, y, label)
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(10 * mm, y - 4 * mm, value[:48])
        y -= 9.5 * mm
    url = receipt_url(payment)
    qr = QrCodeWidget(url)
    left, bottom, right, top = qr.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - size - 6 * mm, 6 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
