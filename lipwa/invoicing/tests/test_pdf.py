"""The PDF carries what a customer needs: who bills, the number, the lines, the totals, due date and status."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from lipwa.invoicing.pdf import invoice_pdf

from .helpers import issued

pytestmark = pytest.mark.django_db


def test_pdf_text(merchant):
    invoice = issued(merchant)
    text = PdfReader(io.BytesIO(invoice_pdf(invoice))).pages[0].extract_text()
    for expected in ("Test merchant", invoice.number, "Safari lodge, 2 nights", "Park fees", "1.5", "16%",
                     "KES 25000.00", "KES 4000.00", "KES 29005.00", invoice.due_date.isoformat(), "Status: open"):
        assert expected in text, (expected, text)


def test_uncompressed_stream_is_readable_and_stable(merchant):
    invoice = issued(merchant)
    raw = invoice_pdf(invoice, compress=False)
    assert invoice.number.encode() in raw and raw == invoice_pdf(invoice, compress=False)
