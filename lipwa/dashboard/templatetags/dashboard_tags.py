"""Template helpers: status badges, money per currency, masked phone numbers."""

from django import template

from lipwa.common.money import CurrencyError, Money
from lipwa.common.phones import mask_phone

from ..badges import badge_html

register = template.Library()


@register.filter
def badge(status: str):
    return badge_html(status)


@register.filter
def money(amount_minor: int, currency: str) -> str:
    """`KES 1,500.00`: grouped major units in the currency's own digits."""
    try:
        text = Money(int(amount_minor), currency).major_string()
    except (CurrencyError, TypeError, ValueError):
        return f"{currency} {amount_minor}"
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{currency} {sign}{whole}{'.' + fraction if fraction else ''}"


@register.filter
def masked(phone: str) -> str:
    return mask_phone(phone)
