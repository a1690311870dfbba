"""The public JSON shape of payments (DESIGN.md §6); used by the API and by event snapshots."""

from __future__ import annotations

from lipwa.fx.conversions import conversion_for

from .models import PaymentIntent


def _unix(value) -> int | None:
    return int(value.timestamp()) if value else None


def _retry_networks(payment: PaymentIntent) -> list[str]:
    if payment.failure_code != "subscriber_not_found":
        return []
    return [n for n in payment.network_candidates or [] if n != payment.network]


# Metadata keys lipwa reads as secrets (a cash-on-delivery PIN): kept, never shown back.
SECRET_METADATA_KEYS = frozenset({"cash_pin"})


def _public_metadata(metadata: dict | None) -> dict:
    return {key: ("••••" if key in SECRET_METADATA_KEYS else value) for key, value in (metadata or {}).items()}


def payment_to_dict(payment: PaymentIntent) -> dict:
    return {
        "id": payment.id,
        "object": "payment",
        "livemode": payment.mode == "live",
        "status": payment.status,
        "amount": payment.amount_minor,
        "amount_refunded": payment.amount_refunded_minor,
        "currency": payment.currency,
        "method": payment.method,
        "provider": payment.provider,
        "network": payment.network or None,
        "network_candidates": payment.network_candidates or [],
        # After "subscriber not found", the networks still worth trying for this number.
        "retry_networks": _retry_networks(payment),
        "fee": payment.fee_minor,
        "phone": payment.phone_e164 or None,
        "customer": payment.customer or None,
        "merchant_reference": payment.merchant_reference or None,
        "description": payment.description or None,
        "metadata": _public_metadata(payment.metadata),
        "return_url": payment.return_url or None,
        "gateway_reference": payment.gateway_reference or None,
        "receipt_number": payment.receipt_number or None,
        "next_action": payment.next_action,
        "failure_code": payment.failure_code or None,
        "failure_message": payment.failure_message or None,
        "needs_review": payment.needs_review,
        "created": _unix(payment.created_at),
        "updated": _unix(payment.updated_at),
        "expires_at": _unix(payment.expires_at),
        "succeeded_at": _unix(payment.succeeded_at),
        # Display only: what the payment is worth in the merchant's settlement currency. Never charged.
        "conversion": _conversion(payment),
    }


def _conversion(payment: PaymentIntent) -> dict | None:
    """At the rate effective when the payment succeeded (or, before that, when it was created)."""
    return conversion_for(amount_minor=payment.amount_minor, currency=payment.currency,
                          settlement_currency=payment.merchant.settlement_currency,
                          at=payment.succeeded_at or payment.created_at)


def refund_to_dict(refund) -> dict:
    return {
        "id": refund.id,
        "object": "refund",
        "livemode": refund.mode == "live",
        "payment": refund.payment_id,
        "status": refund.status,
        "amount": refund.amount_minor,
        "currency": refund.currency,
        "method": refund.method,
        "reason": refund.reason or None,
        "requested_by": refund.requested_by,
        "decided_by": refund.decided_by or None,
        "gateway_reference": refund.gateway_reference or None,
        "failure_code": refund.failure_code or None,
        "failure_message": refund.failure_message or None,
        "evidence": refund.evidence or None,
        "created": _unix(refund.created_at),
        "updated": _unix(refund.updated_at),
        "succeeded_at": _unix(refund.succeeded_at),
    }
