"""The public JSON shape of riders, collections, remittances and cash-ups."""

from __future__ import annotations

from .models import CashAssignment, CashCollection, CashRemittance, CashUp, Rider
from .selectors import rider_floats


def _unix(value) -> int | None:
    return int(value.timestamp()) if value else None


def rider_to_dict(rider: Rider) -> dict:
    return {"id": rider.id, "object": "rider", "livemode": rider.mode == "live", "name": rider.name,
            "phone": rider.phone or None, "active": rider.active, "created": _unix(rider.created_at),
            "floats": [{"currency": c, "amount": a} for c, a in sorted(rider_floats(rider).items())]}


def assignment_to_dict(assignment: CashAssignment) -> dict:
    return {"object": "cash_assignment", "payment": assignment.payment_id, "rider": assignment.rider_id,
            "assigned_by": assignment.assigned_by, "assigned": _unix(assignment.assigned_at)}


def collection_to_dict(collection: CashCollection) -> dict:
    return {"id": collection.id, "object": "cash_collection", "payment": collection.payment_id,
            "rider": collection.rider_id, "amount": collection.amount_minor, "currency": collection.currency,
            "receipt_number": collection.receipt_number, "photo_sha256": collection.photo_sha256 or None,
            "photo_content_type": collection.photo_content_type or None,
            "customer_pin_verified": collection.customer_pin_verified, "collected": _unix(collection.collected_at)}


def remittance_to_dict(remittance: CashRemittance) -> dict:
    return {"id": remittance.id, "object": "cash_remittance", "rider": remittance.rider_id,
            "amount": remittance.amount_minor, "currency": remittance.currency, "reference": remittance.reference,
            "received_by": remittance.received_by, "remitted": _unix(remittance.remitted_at)}


def cash_up_to_dict(cash_up: CashUp) -> dict:
    discrepancy = getattr(cash_up, "discrepancy", None)
    return {"id": cash_up.id, "object": "cash_up", "rider": cash_up.rider_id, "day": cash_up.day.isoformat(),
            "currency": cash_up.currency, "collected": cash_up.collected_minor, "remitted": cash_up.remitted_minor,
            "difference": cash_up.difference_minor, "status": cash_up.status, "closed_by": cash_up.closed_by,
            "created": _unix(cash_up.created_at),
            "discrepancy": None if discrepancy is None else {
                "id": discrepancy.id, "amount": discrepancy.amount_minor, "currency": discrepancy.currency,
                "status": discrepancy.status, "note": discrepancy.note or None}}
