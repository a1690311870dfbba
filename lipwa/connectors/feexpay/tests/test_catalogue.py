"""The provider catalogue: pinned to PROVIDERS.md §5 where it states facts, and consistent with lipwa's networks."""

from __future__ import annotations

import json

import pytest

from lipwa.common.money import Money, currency_exponent
from lipwa.common.networks import PREFIXES, known_networks
from lipwa.connectors.feexpay import catalogue
from lipwa.connectors.feexpay.connector import FeexpayConnector

# Known answers from PROVIDERS.md 5.2's endpoint table: (country, lipwa network) → FeexPay's path segment.
DOCUMENTED_SEGMENTS = {
    ("BJ", "mtn"): "mtn", ("BJ", "moov"): "moov", ("BJ", "celtiis"): "celtiis_bj",
    ("CI", "mtn"): "mtn_ci", ("CI", "moov"): "moov_ci", ("CI", "orange"): "orange_ci", ("CI", "wave"): "wave_ci",
    ("SN", "orange"): "orange_sn", ("SN", "free"): "free_sn", ("SN", "wave"): "wave_sn",
    ("TG", "togocom"): "togocom_tg", ("TG", "moov"): "moov_tg",
}
XAF_COUNTRIES = {"CM", "GA"}


def test_documented_segments_are_exact():
    for (country, network), segment in DOCUMENTED_SEGMENTS.items():
        provider = catalogue.mobile_money_provider(country, network)
        assert provider is not None and provider.feexpay_network == segment, (country, network)
        assert "feexpay_network" not in provider.assumed


def test_every_undocumented_segment_is_marked_as_an_assumption():
    for provider in catalogue.PROVIDERS:
        documented = (provider.country, provider.network) in DOCUMENTED_SEGMENTS
        if provider.method == catalogue.MOBILE_MONEY and not documented:
            assert {"feexpay_network", "amount_min", "amount_max"} <= provider.assumed, provider.id


def test_the_countries_and_currencies_of_design_md():
    assert catalogue.COUNTRIES == {"SN", "CI", "TG", "BJ", "GW", "CM", "GA"}  # DESIGN.md §2
    assert catalogue.CURRENCIES == {"XOF", "XAF", "EUR", "USD"}
    for provider in catalogue.PROVIDERS:
        if provider.method == catalogue.MOBILE_MONEY:
            assert provider.currency == ("XAF" if provider.country in XAF_COUNTRIES else "XOF"), provider.id


def test_network_ids_are_lipwas_where_lipwa_has_them():
    for provider in catalogue.PROVIDERS:
        if provider.method != catalogue.MOBILE_MONEY:
            continue
        if provider.country in PREFIXES and provider.network != "wave":
            # Wave is a wallet on any number, so no prefix table can name it.
            assert provider.network in known_networks(provider.country), provider.id


def test_mobile_money_limits_are_5_2s_in_minor_units():
    for provider in catalogue.PROVIDERS:
        if provider.method == catalogue.MOBILE_MONEY:
            assert currency_exponent(provider.currency) == 0
            assert (provider.amount_min, provider.amount_max) == (100, 2_000_000), provider.id


def test_card_limits_are_whole_units():
    for provider in catalogue.PROVIDERS:
        if provider.method == catalogue.CARD:
            assert Money(provider.amount_min, provider.currency).is_whole_major()
            assert Money(provider.amount_max, provider.currency).is_whole_major()
            assert {"amount_min", "amount_max", "fee"} <= provider.assumed


def test_ids_are_unique_and_every_fee_is_an_assumption():
    ids = [provider.id for provider in catalogue.PROVIDERS]
    assert len(ids) == len(set(ids))
    assert all("fee" in provider.assumed for provider in catalogue.PROVIDERS)


def test_the_connector_declares_what_the_catalogue_holds():
    assert FeexpayConnector.countries == catalogue.COUNTRIES
    assert FeexpayConnector.currencies == catalogue.CURRENCIES
    assert FeexpayConnector.networks == {"mtn", "moov", "celtiis", "orange", "wave", "free", "togocom", "airtel"}
    assert FeexpayConnector.methods == {"mobile_money", "card"}


def test_provider_catalogue_json():
    everything = FeexpayConnector.provider_catalogue(None)
    assert json.loads(json.dumps(everything)) == everything
    assert len(everything) == len(catalogue.PROVIDERS) == 21
    mtn_bj = next(entry for entry in everything if entry["id"] == "mtn_bj")
    assert mtn_bj == {"id": "mtn_bj", "name": "MTN Mobile Money (Benin)", "method": "mobile_money", "country": "BJ",
                      "network": "mtn", "feexpay_network": "mtn", "currency": "XOF", "amount_min": 100,
                      "amount_max": 2_000_000, "fee": {"fixed": 0, "percent_bps": 170}, "assumed": ["fee"]}


@pytest.mark.parametrize("country, ids", [
    ("BJ", ["mtn_bj", "moov_bj", "celtiis_bj", "card_xof", "card_eur", "card_usd"]),
    ("bj", ["mtn_bj", "moov_bj", "celtiis_bj", "card_xof", "card_eur", "card_usd"]),
    ("GA", ["airtel_ga", "moov_ga", "card_xof", "card_eur", "card_usd"]),
    ("KE", []),
    ("", []),
])
def test_provider_catalogue_by_country(country, ids):
    assert [entry["id"] for entry in FeexpayConnector.provider_catalogue(country)] == ids
