"""Read-only queries over checkout sessions, and what the hosted page may offer."""

from __future__ import annotations

from lipwa.common import clock
from lipwa.common.errors import NotFound
from lipwa.common.phones import default_country_for_currency
from lipwa.merchants.models import Merchant
from lipwa.payments.selectors import providers_list

from .models import CheckoutSession

# The order methods are offered in on the page.
METHOD_ORDER = ("mobile_money", "card", "bank_transfer", "cash")


def checkout_session_get(*, merchant: Merchant, mode: str, session_id: str) -> CheckoutSession:
    session = (CheckoutSession.objects.select_related("payment", "merchant")
               .filter(id=session_id, merchant=merchant, mode=mode).first())
    if session is None:
        raise NotFound(f"no checkout session {session_id}", param="id")
    return session


def checkout_session_public(*, session_id: str) -> CheckoutSession | None:
    """The session behind a hosted-page link, whoever holds the link."""
    return CheckoutSession.objects.select_related("payment", "merchant").filter(id=session_id).first()


def checkout_session_for_payment(*, payment_id: str) -> CheckoutSession | None:
    return CheckoutSession.objects.filter(payment_id=payment_id).first()


def checkout_session_status(session: CheckoutSession) -> str:
    """open → complete (its payment succeeded) or expired (its window passed unpaid)."""
    if session.payment_id and session.payment.status == "succeeded":
        return "complete"
    if session.expires_at <= clock.now():
        return "expired"
    return "open"


def methods_available(*, merchant: Merchant, mode: str, currency: str) -> list[str]:
    """Methods the merchant has an active account for, in this currency and its home country."""
    country = default_country_for_currency(currency)
    offered: set[str] = set()
    for provider in providers_list(merchant=merchant, mode=mode, country=country):
        if provider["configured"] and currency in provider["currencies"]:
            offered.update(provider["methods"])
    return [m for m in METHOD_ORDER if m in offered]


def session_methods(session: CheckoutSession) -> list[str]:
    """What this session's page offers: the merchant's configured methods, narrowed by the session's list."""
    available = methods_available(merchant=session.merchant, mode=session.mode, currency=session.currency)
    if session.methods:
        return [m for m in available if m in session.methods]
    return available
