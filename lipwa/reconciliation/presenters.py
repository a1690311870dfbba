"""The JSON shape of a statement, its counts, matches and discrepancies."""

from __future__ import annotations

from . import models as m


def _iso(value):
    return value.isoformat() if value else None


def statement_to_dict(statement: m.Statement) -> dict:
    matches = statement.matches.select_related("line").order_by("line__line_number", "id")
    discrepancies = statement.discrepancies.select_related("line").order_by("id")
    credits = statement.lines.filter(direction="credit")
    return {
        "id": statement.id, "object": "statement", "format": statement.format, "preset": statement.preset or None,
        "source": statement.source, "currency": statement.currency, "filename": statement.filename,
        "file_sha256": statement.file_sha256, "period_start": _iso(statement.period_start),
        "period_end": _iso(statement.period_end), "imported_at": _iso(statement.imported_at),
        "reconciled_at": _iso(statement.reconciled_at),
        "counts": {"lines_in_file": statement.lines_in_file, "lines_new": statement.lines_new,
                   "lines_known": statement.lines_known, "matched": matches.count(),
                   "unmatched_credits": credits.filter(match__isnull=True).count(),
                   "open_discrepancies": discrepancies.filter(status="open").count()},
        "matches": [{"line": match.line.line_number, "payment": match.payment_id, "rule": match.rule,
                     "confidence": match.confidence_percent, "amount": match.line.amount_minor,
                     "reference": match.line.reference} for match in matches],
        "discrepancies": [discrepancy_to_dict(d) for d in discrepancies],
        "settlements": [{"line": line.line_number, "amount": line.amount_minor,
                         "payments": [item.payment_id for item in line.settlement_items.order_by("id")]}
                        for line in statement.lines.filter(settlement_items__isnull=False)
                        .distinct().order_by("line_number")],
    }


def discrepancy_to_dict(d: m.Discrepancy) -> dict:
    return {"id": d.id, "object": "discrepancy", "kind": d.kind, "status": d.status, "statement": d.statement_id,
            "line": d.line.line_number if d.line else None, "payment": d.payment_id, "details": d.details,
            "created_at": _iso(d.created_at), "reviewed_at": _iso(d.reviewed_at), "resolved_at": _iso(d.resolved_at),
            "resolution": d.resolution or None, "resolved_by": d.resolved_by or None, "note": d.note or None}
