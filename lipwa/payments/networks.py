"""Which network to charge a payer on: explicit choice, merchant override, history, then prefix tables."""

from __future__ import annotations

from functools import cache

from django.db import connection

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.common.networks import detect_networks, known_networks
from lipwa.common.phones import InvalidPhone, Phone, parse_phone
from lipwa.connectors.registry import connector_class, connector_ids
from lipwa.merchants.models import Merchant

from .models import PhoneNetwork


def network_is_known(country: str, network: str) -> bool:
    gateway_networks = {n for c in connector_ids() for n in connector_class(c).networks
                        if country in connector_class(c).countries}
    return network in known_networks(country) | gateway_networks


def network_candidates(*, merchant: Merchant, phone: Phone, explicit: str | None) -> tuple[str, ...]:
    """Networks to try for `phone`, most likely first, without repeats."""
    if explicit:
        if not network_is_known(phone.country, explicit):
            raise InvalidRequest(f"network {explicit!r} is not a mobile network lipwa knows in {phone.country}",
                                 param="network", code="network_unknown")
        return (explicit,)
    ordered: list[str] = []
    remembered = PhoneNetwork.objects.filter(merchant=merchant, phone_e164=phone.e164).first()
    if remembered:
        ordered.append(remembered.network)
    ordered += detect_networks(phone)
    return tuple(dict.fromkeys(ordered))


def phone_network_remember(*, merchant_id: str, phone_e164: str, network: str) -> None:
    """After a success: remember the network, unless the merchant has set one by hand. One statement (every
    successful mobile-money payment runs it): insert, or update a learned row, never an override."""
    if not phone_e164 or not network:
        return
    with connection.cursor() as cursor:
        cursor.execute(_remember_sql(connection.vendor), [merchant_id, phone_e164, network,
                                                          connection.ops.adapt_datetimefield_value(clock.now())])


@cache
def _remember_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(PhoneNetwork._meta.db_table)
    merchant, phone, network, source, updated = (
        quote(PhoneNetwork._meta.get_field(name).column)
        for name in ("merchant", "phone_e164", "network", "source", "updated_at"))
    # ON CONFLICT … DO UPDATE … WHERE: PostgreSQL, and SQLite since 3.24.
    return (f"INSERT INTO {table} ({merchant}, {phone}, {network}, {source}, {updated}) "
            f"VALUES (%s, %s, %s, 'last_success', %s) ON CONFLICT ({merchant}, {phone}) DO UPDATE SET "
            f"{network} = excluded.{network}, {source} = excluded.{source}, {updated} = excluded.{updated} "
            f"WHERE {table}.{source} <> 'override'")


def _phone(raw: str, default_country: str | None = None) -> Phone:
    try:
        return parse_phone(raw, default_country)
    except InvalidPhone as exc:
        raise InvalidRequest(f"{exc}; send it in international form, e.g. +255754123456", param="phone",
                             code="invalid_phone") from None


def phone_network_set(*, merchant: Merchant, phone: str, network: str) -> PhoneNetwork:
    """The merchant's override for a customer whose number was ported to another network."""
    parsed = _phone(phone)
    if not isinstance(network, str) or not network_is_known(parsed.country, network):
        raise InvalidRequest(f"network {network!r} is not a mobile network lipwa knows in {parsed.country}; "
                             f"known: {', '.join(sorted(known_networks(parsed.country))) or 'none'}",
                             param="network", code="network_unknown")
    record, _ = PhoneNetwork.objects.update_or_create(merchant=merchant, phone_e164=parsed.e164, defaults={
        "network": network, "source": "override", "updated_at": clock.now()})
    return record


def phone_network_get(*, merchant: Merchant, phone: str) -> dict:
    parsed = _phone(phone)
    record = PhoneNetwork.objects.filter(merchant=merchant, phone_e164=parsed.e164).first()
    return {"object": "phone_network", "phone": parsed.e164, "country": parsed.country,
            "network": record.network if record else None, "source": record.source if record else None,
            "detected": list(detect_networks(parsed))}


def phone_network_delete(*, merchant: Merchant, phone: str) -> None:
    parsed = _phone(phone)
    deleted, _ = PhoneNetwork.objects.filter(merchant=merchant, phone_e164=parsed.e164).delete()
    if not deleted:
        raise NotFound(f"no network recorded for {parsed.e164}", param="phone")
