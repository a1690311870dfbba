"""The public JSON shape of a checkout session."""

from __future__ import annotations

from django.conf import settings

from .models import CheckoutSession
from .selectors import checkout_session_status


def hosted_url(session_id: str) -> str:
    return f"{settings.LIPWA_PUBLIC_URL}/pay/{session_id}"


def checkout_session_to_dict(session: CheckoutSession) -> dict:
    return {
        "id": session.id,
        "object": "checkout_session",
        "livemode": session.mode == "live",
        "url": hosted_url(session.id),
        "status": checkout_session_status(session),
        "amount": session.amount_minor,
        "currency": session.currency,
        "methods": session.methods or None,
        "merchant_reference": session.merchant_reference or None,
        "description": session.description or None,
        "customer": session.customer or None,
        "return_url": session.return_url or None,
        "payment": session.payment_id,
        "payment_status": session.payment.status if session.payment_id else None,
        "created": int(session.created_at.timestamp()),
        "expires_at": int(session.expires_at.timestamp()),
    }
