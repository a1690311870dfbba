"""`connector_account_test`: the connector's own credential checks, then whether each gateway URL answers."""

from __future__ import annotations

import pytest

from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create, connector_account_test

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_simulator_account_passes(simulator_account):
    checks = connector_account_test(account=simulator_account("mpesa"))
    assert [name for name, _, _ in checks] == ["credentials", "base_url"]
    assert all(passed for _, passed, _ in checks)


def test_unusable_credentials_and_an_unreachable_gateway_are_named(merchant):
    credentials = connector_class("mpesa").simulator_credentials("http://127.0.0.1:9/simulators/mpesa")
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials)
    values = account.get_credentials()
    account.set_credentials({**values, "shortcode": "12"})  # as if edited outside the service
    checks = {name: (passed, message) for name, passed, message in connector_account_test(account=account)}
    assert checks["credentials"] == (False, "shortcode: Business short code must be 5 to 7 digits.")
    assert checks["base_url"][0] is False and "did not answer" in checks["base_url"][1]
    assert values["consumer_secret"] not in str(checks) and values["passkey"] not in str(checks)


def test_an_offline_rail_reaches_nothing(merchant):
    account = connector_account_create(merchant=merchant, connector="cash", mode="test", credentials={"label": "x"})
    assert connector_account_test(account=account) == [
        ("credentials", True, "every Cash on delivery field is usable"),
        ("gateway", True, "Cash on delivery reaches no gateway (settled offline)")]


def test_every_connectors_simulator_account_passes(simulator_account):
    from lipwa.connectors.registry import connector_ids

    for connector in connector_ids():
        checks = connector_account_test(account=simulator_account(connector))
        assert all(passed for _, passed, _ in checks), (connector, checks)
