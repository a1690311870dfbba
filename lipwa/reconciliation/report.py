"""A statement's reconciliation report: every line with what became of it, the discrepancies, the totals.

One set of rows (`report_rows`) feeds both renderings, so the CSV and the PDF can never disagree. Amounts
are printed in major units with the currency's own decimals (never through a float).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from lipwa.common.money import Money

from . import models as m

COLUMNS = ("line", "booked_at", "direction", "kind", "amount", "currency", "reference", "counterparty", "outcome",
           "payments", "rule", "confidence", "discrepancy", "discrepancy_status")
ROWS_PER_PAGE = 48


@dataclass(frozen=True)
class Report:
    statement: m.Statement
    rows: list[dict]
    totals: dict[str, int]
    discrepancies: list[m.Discrepancy]


def _major(amount_minor: int, currency: str) -> str:
    return Money(amount_minor, currency).major_string()


def report_build(statement: m.Statement) -> Report:
    lines = (m.StatementLine.objects.filter(statement=statement).select_related("match")
             .prefetch_related("settlement_items", "bank_settlement__bank_line__settlement_items",
                               "gateway_settlement__gateway_line__settlement_items").order_by("line_number", "id"))
    discrepancies = list(statement.discrepancies.select_related("line").order_by("id"))
    by_line = {d.line_id: d for d in discrepancies if d.line_id}
    rows, totals = [], {"credits": 0, "debits": 0, "matched": 0, "settled": 0, "unmatched_credits": 0}
    for line in lines:
        match = getattr(line, "match", None)
        # A payout seen on both statements is settled on the one that arrived first; both show its payments.
        items = list(line.settlement_items.all()) or _partner_items(line)
        outcome = "matched" if match else "settled" if items else ("unmatched" if line.direction == "credit"
                                                                     else "not reconciled (debit)")
        totals["credits" if line.direction == "credit" else "debits"] += line.amount_minor
        key = {"matched": "matched", "settled": "settled", "unmatched": "unmatched_credits"}.get(outcome)
        if key:
            totals[key] += line.amount_minor
        found = by_line.get(line.id)
        rows.append({
            "line": line.line_number, "booked_at": line.booked_at.isoformat(), "direction": line.direction,
            "kind": line.kind, "amount": _major(line.amount_minor, line.currency), "currency": line.currency,
            "reference": line.reference, "counterparty": line.counterparty, "outcome": outcome,
            "payments": " ".join([match.payment_id] if match else [item.payment_id for item in items]),
            "rule": match.rule if match else ("settlement" if items else ""),
            "confidence": str(match.confidence_percent if match else items[0].confidence_percent if items else ""),
            "discrepancy": found.kind if found else "", "discrepancy_status": found.status if found else ""})
    return Report(statement, rows, totals, discrepancies)


def _partner_items(line: m.StatementLine) -> list[m.SettlementItem]:
    for link, partner in (("bank_settlement", "bank_line"), ("gateway_settlement", "gateway_line")):
        found = getattr(line, link, None)  # a missing reverse one-to-one raises an AttributeError
        if found is not None:
            return list(getattr(found, partner).settlement_items.all())
    return []


def report_csv(statement: m.Statement) -> str:
    report = report_build(statement)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        writer.writerow([_safe(row[column]) for column in COLUMNS])
    writer.writerow([])
    writer.writerow(["discrepancy", "kind", "status", "line", "payment", "resolution", "note"])
    for d in report.discrepancies:
        writer.writerow([d.id, d.kind, d.status, d.line.line_number if d.line else "", d.payment_id or "",
                         d.resolution, _safe(d.note)])
    writer.writerow([])
    writer.writerow(["total", "amount", "currency"])
    for name, amount in report.totals.items():
        writer.writerow([name, _major(amount, statement.currency), statement.currency])
    return buffer.getvalue()


def _safe(value: str) -> str:
    """Text from a statement opened in a spreadsheet must not run as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_pdf(statement: m.Statement, *, compress: bool = True) -> bytes:
    report = report_build(statement)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1 if compress else 0)
    canvas.setTitle(f"Reconciliation of {statement.filename}")
    width, height = A4
    y = height - 50
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(40, y, f"Reconciliation report: {statement.filename[:60]}")
    canvas.setFont("Helvetica", 9)
    period = (f"{statement.period_start:%Y-%m-%d} to {statement.period_end:%Y-%m-%d}"
              if statement.period_start else "no lines")
    for text in (f"Statement {statement.id} ({statement.format}), {statement.currency}, {period}",
                 f"Lines in file {statement.lines_in_file}, new {statement.lines_new}, "
                 f"already imported {statement.lines_known}",
                 *(f"{name.replace('_', ' ').capitalize()}: {statement.currency} {_major(amount, statement.currency)}"
                   for name, amount in report.totals.items()),
                 f"Discrepancies: {len(report.discrepancies)} "
                 f"({sum(d.status != 'resolved' for d in report.discrepancies)} unresolved)"):
        y -= 13
        canvas.drawString(40, y, text)
    y -= 22
    headings = ((40, "Line"), (75, "Booked"), (165, "Reference"), (265, "Amount"), (345, "Outcome"),
                (420, "Payment(s)"), (width - 40, "Discrepancy"))
    y = _headings(canvas, headings, y, width)
    for row in report.rows:
        if y < 50:
            canvas.showPage()
            y = _headings(canvas, headings, height - 50, width)
        y -= 12
        payments = row["payments"].split()
        cells = (str(row["line"]), row["booked_at"][:16].replace("T", " "), row["reference"][:18],
                 f"{'-' if row['direction'] == 'debit' else ''}{row['amount']}", row["outcome"][:14],
                 (payments[0] + (f" +{len(payments) - 1}" if len(payments) > 1 else "")) if payments else "",
                 row["discrepancy"])
        for (x, _), text in zip(headings, cells, strict=True):
            (canvas.drawRightString if x == width - 40 else canvas.drawString)(x, y, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _headings(canvas: Canvas, headings, y: float, width: float) -> float:
    canvas.setFont("Helvetica-Bold", 8)
    for x, text in headings:
        (canvas.drawRightString if x == width - 40 else canvas.drawString)(x, y, text)
    canvas.setFont("Helvetica", 8)
    return y
