"""Checkout session services: create a session, and turn the hosted page's submit into one payment."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.merchants.models import Merchant
from lipwa.payments.models import METHODS, PaymentIntent
from lipwa.payments.services import _validate_amount, payment_confirm, payment_create

from .models import CheckoutSession
from .selectors import checkout_session_status, methods_available, session_methods

log = logging.getLogger("lipwa.checkout")

EXPIRES_IN_DEFAULT_SECONDS = 24 * 3600
EXPIRES_IN_MIN_SECONDS = 300
EXPIRES_IN_MAX_SECONDS = 30 * 24 * 3600
RETRYABLE = ("failed", "cancelled", "expired")


def checkout_session_create(*, merchant: Merchant, mode: str, amount: int, currency: str,
                            methods: list[str] | None = None, merchant_reference: str = "",
                            description: str = "", customer: dict | None = None, return_url: str = "",
                            expires_in: int | None = None) -> CheckoutSession:
    _validate_amount(amount, currency)
    available = methods_available(merchant=merchant, mode=mode, currency=currency)
    for method in methods or []:
        if method not in dict(METHODS):
            raise InvalidRequest(f"methods: {method!r} is not one of {', '.join(dict(METHODS))}", param="methods")
        if method not in available:
            raise InvalidRequest(f"methods: you have no active {mode} account that takes {method} in {currency}",
                                 param="methods", code="method_not_available")
    if not available:
        raise InvalidRequest(f"you have no active {mode} connector account that takes {currency}: add one "
                             "before creating checkout sessions", param="currency", code="no_connector_account")
    if return_url and not return_url.startswith(("https://", "http://")):
        raise InvalidRequest("return_url must be an http(s) URL", param="return_url")
    window = EXPIRES_IN_DEFAULT_SECONDS if expires_in is None else expires_in
    if not EXPIRES_IN_MIN_SECONDS <= window <= EXPIRES_IN_MAX_SECONDS:
        raise InvalidRequest(f"expires_in must be between {EXPIRES_IN_MIN_SECONDS} and {EXPIRES_IN_MAX_SECONDS} "
                             "seconds", param="expires_in")
    now = clock.now()
    return CheckoutSession.objects.create(
        merchant=merchant, mode=mode, amount_minor=amount, currency=currency, methods=list(methods or []),
        merchant_reference=merchant_reference, description=description, customer=customer or {},
        return_url=return_url, expires_at=now + timedelta(seconds=window), created_at=now, updated_at=now)


def checkout_session_pay(*, session_id: str, method: str, phone: str, based_on: str
                         ) -> tuple[CheckoutSession, PaymentIntent]:
    """One payment per submitted form: `based_on` is the payment the form was rendered after ("" for none).

    A form submitted twice, or a form older than the session's latest payment, gets that payment back
    instead of a new charge; so does a session whose payment is still open or has succeeded. Amount and
    currency come from the session only.
    """
    with transaction.atomic():
        session = (CheckoutSession.objects.select_for_update(of=("self",)).select_related("merchant")
                   .filter(id=session_id).first())
        if session is None:
            raise NotFound(f"no checkout session {session_id}", param="id")
        current = PaymentIntent.objects.filter(id=session.payment_id).first() if session.payment_id else None
        if current is not None and (current.id != based_on or current.status not in RETRYABLE):
            return session, current
        if checkout_session_status(session) == "expired":
            raise Conflict("this checkout session has expired", code="session_expired")
        if method not in session_methods(session):
            raise InvalidRequest("choose one of the payment methods shown", param="method",
                                 code="method_not_available")
        remaining = int((session.expires_at - clock.now()).total_seconds())
        payment = payment_create(
            merchant=session.merchant, mode=session.mode, amount=session.amount_minor, currency=session.currency,
            method=method, phone=phone or None, customer=session.customer or None,
            merchant_reference=session.merchant_reference, description=session.description,
            metadata={"checkout_session": session.id},
            return_url=f"{settings.LIPWA_PUBLIC_URL}/pay/{session.id}/return",
            expires_in=max(60, min(remaining, 3600)) if remaining < 3600 else None, confirm=False)
        session.payment = payment
        session.updated_at = clock.now()
        session.save(update_fields=["payment", "updated_at"])
    log.info("checkout session %s: payment %s created", session.id, payment.id)
    # Sent to the gateway after the commit, outside any lock, as payment_create would.
    return session, payment_confirm(payment_id=payment.id)
