"""Choose the connector account that will carry a payment."""

from __future__ import annotations

from lipwa.common.errors import InvalidRequest
from lipwa.connectors.registry import UnknownConnector, connector_class, connector_ids
from lipwa.merchants.models import ConnectorAccount, Merchant


def route_payment(*, merchant: Merchant, mode: str, method: str, currency: str, provider: str | None,
                  country: str | None) -> ConnectorAccount:
    """Pick an active account of the merchant in the key's mode that can carry this method and currency.

    With `provider`, only that connector is considered. Without it, every connector that supports the
    method, the currency and the payer's country is a candidate, in registry order.
    """
    if provider:
        try:
            candidates = [connector_class(provider)]
        except UnknownConnector as exc:
            raise InvalidRequest(str(exc), param="provider", code="unknown_provider") from None
    else:
        candidates = [connector_class(c) for c in connector_ids()]
    supported = [c for c in candidates if method in c.methods]
    if not supported:
        raise InvalidRequest(f"{provider or 'no provider'} does not support method {method!r}", param="method",
                             code="method_not_supported")
    supported = [c for c in supported if currency in c.currencies]
    if not supported:
        raise InvalidRequest(f"{provider or 'no provider'} does not accept {currency} for {method}",
                             param="currency", code="currency_not_supported")
    if country:
        supported = [c for c in supported if country in c.countries]
        if not supported:
            raise InvalidRequest(f"{provider or 'no provider'} cannot charge a phone number from {country}",
                                 param="phone", code="country_not_supported")
    for cls in supported:
        account = (ConnectorAccount.objects.filter(merchant=merchant, mode=mode, connector=cls.id, is_active=True)
                   .order_by("created_at").first())
        if account is not None:
            return account
    names = ", ".join(c.id for c in supported)
    raise InvalidRequest(f"no active {mode} connector account for {names}: add one before taking payments",
                         param="provider", code="no_connector_account")
