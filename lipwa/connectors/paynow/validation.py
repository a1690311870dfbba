"""What Paynow can take, checked before anything is stored or sent (PROVIDERS.md 7.2, 7.8, 7.9).

Which flow a charge takes:
- web checkout (`initiatetransaction`) for cards: the customer is redirected to Paynow's page;
- express checkout (`remotetransaction`) for mobile money: EcoCash (Econet numbers), OneMoney (NetOne numbers)
  or InnBucks (chosen explicitly with the network `innbucks`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lipwa.common.money import Money
from lipwa.common.networks import detect_networks
from lipwa.common.phones import Phone, mask_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.types import ChargeRequest

from .credentials import CURRENCIES
from .mapping import EXPRESS_METHODS

WEB = "web"
EXPRESS = "express"
# Paynow takes two-decimal amounts (7.2) and documents no limit of its own; anything above zero is sent.
AMOUNT_MIN_MINOR = 1


def charge_flow(request: ChargeRequest) -> str:
    """Web checkout for cards, express checkout for mobile money.

    ChargeRequest does not carry the payment method yet, so a charge with a payer phone is taken to be mobile
    money and one without a phone to be a card payment. A `method` attribute, once the core passes one, wins.
    """
    method = getattr(request, "method", None)
    if method == "card":
        return WEB
    if method == "mobile_money":
        return EXPRESS
    return EXPRESS if request.phone is not None else WEB


def validate_amount(amount: Money, integration_currency: str) -> None:
    if amount.currency not in CURRENCIES:
        raise ConnectorInputError(f"Paynow charges in USD or ZWG, not {amount.currency}", param="currency",
                                  code="currency_not_supported")
    if amount.currency != integration_currency:
        # Paynow integrations are per currency and the request names none (7.2): this integration would charge
        # the same number of {integration_currency} instead.
        raise ConnectorInputError(
            f"this Paynow account's integration charges in {integration_currency}, not {amount.currency}; "
            f"add a {amount.currency} integration for {amount.currency} payments", param="currency",
            code="currency_not_supported")
    if amount.amount_minor < AMOUNT_MIN_MINOR:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is below Paynow's minimum of {amount.currency} 0.01 (amount 1)",
            param="amount", code="amount_too_small")
    try:
        amount.major_string(2)
    except ValueError:
        # Both currencies have two decimals today; a third would be refused rather than rounded.
        raise ConnectorInputError(f"Paynow takes two decimals; {amount} has more", param="amount",
                                  code="amount_precision") from None


def express_method(phone: Phone | None, network: str | None) -> str:
    """Paynow's express `method` for the payer, from the network the core chose or the phone's prefix."""
    if phone is None:
        raise ConnectorInputError("phone is required for Paynow mobile money: the payer's EcoCash, OneMoney or "
                                  "InnBucks number, e.g. +263771234567", param="phone", code="phone_required")
    if phone.country != "ZW":
        raise ConnectorInputError(f"Paynow needs a Zimbabwean mobile number (+263…); {mask_phone(phone.msisdn)} "
                                  "is not one", param="phone", code="invalid_phone")
    candidates = (network,) if network else detect_networks(phone)
    for candidate in candidates:
        if candidate in EXPRESS_METHODS:
            return EXPRESS_METHODS[candidate]
    named = f"the {network} network" if network else f"{mask_phone(phone.msisdn)}'s network"
    raise ConnectorInputError(
        f"Paynow express checkout takes EcoCash (Econet), OneMoney (NetOne) and InnBucks; {named} is none of "
        "them. Pass network 'econet', 'netone' or 'innbucks', or pay by card", param="network",
        code="network_not_supported")


def local_phone(phone: Phone) -> str:
    """`0771234567`: the local form Paynow's express checkout takes (7.2, 7.9)."""
    return "0" + phone.national_significant


def validate_return_url(return_url: str) -> None:
    """Web checkout sends the customer back to `returnurl` (7.2); without one they are stranded at Paynow."""
    if not return_url:
        raise ConnectorInputError("return_url is required for Paynow card payments: Paynow sends the customer "
                                  "back to it after paying", param="return_url", code="return_url_required")
    parts = urlsplit(return_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectorInputError("return_url must be an http(s) URL", param="return_url", code="invalid_url")


def auth_email(request: ChargeRequest, *, mode: str, merchant_email: str) -> str:
    """`authemail` (7.2): in test mode it must be the merchant's own Paynow login (7.8), whoever pays; live, it
    is the customer's email, with the merchant's as the fallback express checkout needs."""
    if mode == "test":
        return merchant_email
    return request.customer_email.strip() or merchant_email
