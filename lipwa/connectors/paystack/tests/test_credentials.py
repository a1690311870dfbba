"""Credential fields: defaults, one clear message per bad field, mode-matching keys, secrets that never show."""

from __future__ import annotations

import pytest

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.paystack.credentials import BASE_URL, CREDENTIAL_FIELDS, PaystackCredentials, credentials_validate

GOOD = {"secret_key": "sk_test_0123456789abcdef"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "secret_key", "public_key", "fallback_email"]
    assert {name for name, field in fields.items() if field.secret} == {"secret_key"}
    assert fields["base_url"].default == BASE_URL == "https://api.paystack.co"
    assert [name for name, field in fields.items() if field.required] == ["base_url", "secret_key"]


def test_defaults_apply():
    credentials = PaystackCredentials.from_mapping(GOOD | {"base_url": " ", "fallback_email": None})
    assert (credentials.base_url, credentials.fallback_email) == (BASE_URL, "")


@pytest.mark.parametrize("overrides, mode, field, words", [
    ({"secret_key": ""}, None, "secret_key", "Secret key is required"),
    ({"secret_key": "sk_test_ab cd"}, None, "secret_key", "spaces"),
    ({"secret_key": "pk_test_abcd"}, None, "secret_key", "public key"),
    ({"secret_key": "sk_live_abcd"}, "test", "secret_key", "cannot use a live secret key"),
    ({"secret_key": "sk_test_abcd"}, "live", "secret_key", "needs a live secret key"),
    ({"secret_key": "sim_secret"}, "live", "secret_key", "needs a live secret key"),
    ({"base_url": "ftp://api.paystack.co"}, None, "base_url", "http(s) URL"),
    ({"base_url": "https://api.paystack.co?x=1"}, None, "base_url", "query string"),
    ({"fallback_email": "not-an-email"}, None, "fallback_email", "not an email"),
])
def test_bad_fields_are_explained(overrides, mode, field, words):
    errors = credentials_validate(GOOD | overrides, mode)
    assert list(errors) == [field]
    assert words in errors[field]


@pytest.mark.parametrize("secret, mode", [("sk_test_x", "test"), ("sim_secret", "test"), ("sk_live_x", "live")])
def test_keys_of_the_right_mode_pass(secret, mode):
    assert credentials_validate({"secret_key": secret}, mode) == {}


def test_unusable_credentials_raise_without_the_secret():
    with pytest.raises(ConnectorConfigError) as excinfo:
        PaystackCredentials.from_mapping({"secret_key": "sk_live_supersecret"}, "test")
    assert "supersecret" not in str(excinfo.value)
    assert "secret_key" in str(excinfo.value)
