"""Choose the connector account that will carry a payment, and what it will cost.

Without a provider, candidates are the connectors that support the method, the currency and the payer's
country; for mobile money, the payer's candidate networks (payments.networks) are tried in order, and the
first network one of the merchant's active accounts can charge wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lipwa.common.errors import InvalidRequest
from lipwa.common.fixed_sql import rows_select
from lipwa.common.money import Money
from lipwa.common.phones import Phone
from lipwa.connectors.base import Connector
from lipwa.connectors.registry import UnknownConnector, connector_class, connector_ids
from lipwa.merchants.models import ConnectorAccount, Merchant

from .networks import network_candidates


@dataclass(frozen=True)
class Route:
    account: ConnectorAccount
    network: str | None
    network_candidates: tuple[str, ...]
    fee_minor: int


def route_payment(*, merchant: Merchant, mode: str, method: str, amount: Money, provider: str | None,
                  phone: Phone | None, network: str | None = None,
                  accepts: Callable[[ConnectorAccount, str | None], None] | None = None) -> Route:
    """The first of the merchant's accounts, in order of preference, that can carry the payment.

    `accepts(account, network)` lets the caller ask the connector itself (it raises InvalidRequest when the
    account cannot take the charge, e.g. a currency its environment does not settle in); the next candidate
    is then tried, and if none fits, the first refusal is reported.
    """
    # Only mobile money is bound to the payer's number: a card or bank payer's phone says nothing about
    # which gateway can take the money.
    wallet = phone if method == "mobile_money" else None
    classes = _supported(provider, method, amount.currency, wallet.country if wallet else None)
    candidates = network_candidates(merchant=merchant, phone=wallet, explicit=network) if wallet else ()
    first_refusal: InvalidRequest | None = None
    for account, chosen in _options(merchant, mode, classes, candidates, explicit_provider=bool(provider)):
        try:
            fee_minor = _check_account(account, amount)
            if accepts is not None:
                accepts(account, chosen)
        except InvalidRequest as refusal:
            first_refusal = first_refusal or refusal
            continue
        return Route(account=account, network=chosen, network_candidates=candidates, fee_minor=fee_minor)
    if first_refusal is not None:
        raise first_refusal
    names = ", ".join(c.id for c in classes)
    where = f" for {'/'.join(candidates)} numbers" if candidates and not provider else ""
    raise InvalidRequest(f"no active {mode} connector account{where} ({names}): add one before taking "
                         "payments", param="network" if network else "provider", code="no_connector_account")


def payer_home_country(*, merchant: Merchant, mode: str, method: str, currency: str) -> str | None:
    """The country a local number (`0771 …`) belongs to when the currency names none (USD): the one country
    that every active account able to take this method and currency serves, e.g. Zimbabwe for a merchant
    whose USD mobile money goes through Paynow. None when that is ambiguous."""
    countries: set[str] = set()
    for connector_id in ConnectorAccount.objects.filter(merchant=merchant, mode=mode, is_active=True).values_list(
            "connector", flat=True).distinct():
        try:
            cls = connector_class(connector_id)
        except UnknownConnector:
            continue
        if method in cls.methods and currency in cls.currencies:
            countries |= set(cls.countries)
    return next(iter(countries)) if len(countries) == 1 else None


def _check_account(account: ConnectorAccount, amount: Money) -> int:
    """The account's own limits and fee; returns the fee."""
    _check_limits(account, amount)
    fee_minor = fee_for(account, amount)
    if fee_minor >= amount.amount_minor:
        raise InvalidRequest(f"the fee on this account ({Money(fee_minor, amount.currency)}) would take the whole "
                             "amount", param="amount", code="amount_too_small")
    return fee_minor


def _supported(provider: str | None, method: str, currency: str, country: str | None) -> list[type[Connector]]:
    if provider:
        try:
            classes = [connector_class(provider)]
        except UnknownConnector as exc:
            raise InvalidRequest(str(exc), param="provider", code="unknown_provider") from None
    else:
        classes = sorted((connector_class(c) for c in connector_ids()), key=lambda c: (c.routing_priority, c.id))
    classes = [c for c in classes if method in c.methods]
    if not classes:
        raise InvalidRequest(_refusal(provider, f"take method {method!r}"), param="method",
                             code="method_not_supported")
    classes = [c for c in classes if currency in c.currencies]
    if not classes:
        raise InvalidRequest(_refusal(provider, f"take {currency} for {method}"), param="currency",
                             code="currency_not_supported")
    if country:
        classes = [c for c in classes if country in c.countries]
        if not classes:
            raise InvalidRequest(_refusal(provider, f"charge a phone number from {country} in {currency}"),
                                 param="phone", code="country_not_supported")
    return classes


def _refusal(provider: str | None, what: str) -> str:
    """'<provider> cannot take UGX …' for a named provider; 'no connector can take UGX …' when routing."""
    return f"{provider} cannot {what}" if provider else f"no connector can {what}"


def _accounts_for(merchant: Merchant, mode: str, cls: type[Connector]) -> list[ConnectorAccount]:
    """Every active account of one connector, oldest first: a merchant may hold several (say Paynow USD and
    Paynow ZWG), and the one that refuses a charge (currency, limits) must not hide the others."""
    # Fixed SQL (lipwa.common.fixed_sql): every payment runs this, and the ORM compiled it each time.
    return rows_select(ConnectorAccount, "t.merchant_id = %s AND t.mode = %s AND t.connector = %s AND t.is_active "
                       "ORDER BY t.created_at, t.id", [merchant.id, mode, cls.id])


def _options(merchant, mode, classes, candidates, *, explicit_provider: bool):
    """(account, network) pairs in order of preference: networks in order of likelihood, connectors by
    routing priority. An explicit provider is trusted as given, because numbers are portable and the
    merchant may know better than the prefix."""
    if explicit_provider:
        cls = classes[0]
        network = next((n for n in candidates if n in cls.networks), None)
        if network is None and len(cls.networks) == 1:
            network = next(iter(cls.networks))
        for account in _accounts_for(merchant, mode, cls):
            yield account, network
        return
    seen: set[str] = set()
    for network in candidates:
        for cls in classes:
            for account in _accounts_for(merchant, mode, cls) if network in cls.networks else ():
                if account.id not in seen:
                    seen.add(account.id)
                    yield account, network
    # Connectors that are not tied to networks (they reach every number) come after the network matches;
    # a payer whose networks no account can reach is refused rather than guessed at.
    for cls in classes if not candidates else [c for c in classes if not c.networks]:
        for account in _accounts_for(merchant, mode, cls):
            if account.id not in seen:
                seen.add(account.id)
                yield account, None


def _check_limits(account: ConnectorAccount, amount: Money) -> None:
    limits = (account.limits or {}).get(amount.currency) or {}
    minimum, maximum = limits.get("min"), limits.get("max")
    if minimum is not None and amount.amount_minor < minimum:
        raise InvalidRequest(f"amount must be at least {Money(minimum, amount.currency)} on this account",
                             param="amount", code="amount_too_small")
    if maximum is not None and amount.amount_minor > maximum:
        raise InvalidRequest(f"amount must be at most {Money(maximum, amount.currency)} on this account",
                             param="amount", code="amount_too_large")


def fee_for(account: ConnectorAccount, amount: Money) -> int:
    """Fixed plus percentage fee in minor units; the percentage part rounds half up (integer arithmetic)."""
    rule = (account.fees or {}).get(amount.currency) or {}
    fixed, basis_points = int(rule.get("fixed", 0)), int(rule.get("percent_bps", 0))
    return fixed + (amount.amount_minor * basis_points + 5_000) // 10_000
