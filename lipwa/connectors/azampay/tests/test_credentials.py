"""Credential fields: three hosts with sandbox defaults, one clear message per bad field, secrets never shown."""

from __future__ import annotations

import pytest

from lipwa.connectors.azampay.connector import AzamPayConnector
from lipwa.connectors.azampay.credentials import (
    CREDENTIAL_FIELDS,
    AzamPayCredentials,
    PayoutSource,
    credentials_validate,
    environment_problem,
)
from lipwa.connectors.errors import ConnectorConfigError

GOOD = {"app_name": "shop", "client_id": "client-123", "client_secret": "s3cr3t-value", "api_key": "k3y-value"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["auth_base_url", "base_url", "disbursement_base_url", "app_name", "client_id",
                            "client_secret", "api_key", "payout_source_name", "payout_source_bank",
                            "payout_source_account"]
    assert {name for name, field in fields.items() if field.secret} == {"client_secret", "api_key"}
    # PROVIDERS.md 4.1: the sandbox hosts are the defaults.
    assert fields["auth_base_url"].default == "https://authenticator-sandbox.azampay.co.tz"
    assert fields["base_url"].default == "https://sandbox.azampay.co.tz"
    assert fields["disbursement_base_url"].default == "https://api-disbursement-sandbox.azampay.co.tz"
    assert not any(fields[name].required for name in ("payout_source_name", "payout_source_bank",
                                                      "payout_source_account"))


def test_defaults_apply_and_trailing_slashes_go():
    credentials = AzamPayCredentials.from_mapping(GOOD | {"base_url": "", "auth_base_url": " ",
                                                          "disbursement_base_url": "https://x.sandbox.test/"})
    assert credentials.auth_base_url == "https://authenticator-sandbox.azampay.co.tz"
    assert credentials.checkout_base_url == "https://sandbox.azampay.co.tz"
    assert credentials.disbursement_base_url == "https://x.sandbox.test"
    assert credentials.payout_source is None


def test_payout_source():
    credentials = AzamPayCredentials.from_mapping(GOOD | {"payout_source_name": "Shop", "payout_source_bank": "CRDB",
                                                          "payout_source_account": "0150123"})
    assert credentials.payout_source == PayoutSource("Shop", "CRDB", "0150123")


@pytest.mark.parametrize("overrides, fields, words", [
    ({"app_name": ""}, ["app_name"], "App name is required"),
    ({"client_id": None}, ["client_id"], "Client ID is required"),
    ({"client_secret": "  "}, ["client_secret"], "Client secret is required"),
    ({"api_key": ""}, ["api_key"], "API key is required"),
    ({"client_secret": "abc def"}, ["client_secret"], "spaces or line breaks"),
    ({"api_key": "a\tb"}, ["api_key"], "spaces or line breaks"),
    ({"base_url": "sandbox.azampay.co.tz"}, ["base_url"], "http(s) URL"),
    ({"auth_base_url": "ftp://x"}, ["auth_base_url"], "http(s) URL"),
    ({"disbursement_base_url": "https://x/?a=1"}, ["disbursement_base_url"], "query string"),
    ({"payout_source_account": "123"}, ["payout_source_bank", "payout_source_name"], "needed with the other"),
])
def test_each_bad_field_gets_its_own_message(overrides, fields, words):
    errors = credentials_validate(GOOD | overrides)
    assert sorted(errors) == fields
    assert all(words in errors[field] for field in fields)


def test_unusable_credentials_raise_without_showing_secrets():
    with pytest.raises(ConnectorConfigError) as excinfo:
        AzamPayCredentials.from_mapping(GOOD | {"client_secret": "abc def", "app_name": ""})
    message = str(excinfo.value)
    assert "client_secret" in message and "app_name" in message
    assert "abc def" not in message


def test_repr_masks_secrets_and_the_client_id():
    credentials = AzamPayCredentials.from_mapping(GOOD)
    for text in (repr(credentials), str(credentials)):
        assert "s3cr3t-value" not in text and "k3y-value" not in text and "client-123" not in text
        assert "sandbox.azampay.co.tz" in text


@pytest.mark.parametrize("mode, overrides, problem", [
    ("test", {}, None),  # the sandbox defaults
    ("test", AzamPayConnector.simulator_credentials("http://127.0.0.1:8000/simulators/azampay"), None),
    ("live", {"auth_base_url": "https://authenticator.azampay.co.tz", "base_url": "https://checkout.azampay.co.tz",
              "disbursement_base_url": "https://api-disbursement.azampay.co.tz"}, None),
    # Each host is checked, not only base_url (which the core checks too).
    ("test", {"disbursement_base_url": "https://api-disbursement.azampay.co.tz"}, "Disbursement host"),
    ("test", {"auth_base_url": "https://authenticator.azampay.co.tz"}, "Authenticator host"),
    ("live", {"auth_base_url": "https://authenticator.azampay.co.tz", "base_url": "https://checkout.azampay.co.tz",
              "disbursement_base_url": "http://127.0.0.1:8000/simulators/azampay/disbursement"},
     "Disbursement host points at a simulator"),
    ("live", {}, "Authenticator host points at a sandbox"),
])
def test_environment_problem(mode, overrides, problem):
    found = environment_problem(mode, GOOD | overrides)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
