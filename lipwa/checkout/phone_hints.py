"""The prefix tables the server detects networks with (lipwa.common.networks), shaped for the checkout page's
small script, so the network the customer sees while typing is the one the server would pick."""

from __future__ import annotations

import phonenumbers

from lipwa.common.networks import PREFIXES


def network_hints(default_country: str | None) -> dict:
    """{"default": country, "countries": {country: {"cc", "trunk", "prefixes"}}}.

    Only the default country's table when the currency names one (the page stays small); every table when it
    does not (XOF, XAF, USD: the customer must type the international form, which names the country).
    """
    countries = [default_country] if default_country in PREFIXES else sorted(PREFIXES)
    hints = {}
    for country in countries:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
        hints[country] = {"cc": str(metadata.country_code), "trunk": metadata.national_prefix or "",
                          "prefixes": {prefix: list(names) for prefix, names in PREFIXES[country].items()}}
    return {"default": default_country if default_country in PREFIXES else "", "countries": hints}
