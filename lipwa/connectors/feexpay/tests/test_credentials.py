"""Credential fields: defaults, one clear message per bad field, and secrets that never show."""

from __future__ import annotations

import pytest

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.feexpay.credentials import (
    API_BASE_URL,
    CREDENTIAL_FIELDS,
    FeexpayCredentials,
    credentials_validate,
)

GOOD = {"api_key": "fp_live_abc123", "shop_id": "5f3b2a1c-shop", "webhook_secret": "whsec_0123456789"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "api_key", "shop_id", "webhook_secret"]
    assert {name for name, field in fields.items() if field.secret} == {"api_key", "webhook_secret"}
    assert fields["base_url"].default == API_BASE_URL == "https://api-v2.feexpay.me/api"  # 5.1
    assert all(field.required for field in CREDENTIAL_FIELDS)


def test_defaults_apply_and_the_trailing_slash_goes():
    assert FeexpayCredentials.from_mapping(GOOD | {"base_url": " "}).base_url == API_BASE_URL
    assert FeexpayCredentials.from_mapping(GOOD | {"base_url": "http://127.0.0.1:9/sim/api/"}).base_url == (
        "http://127.0.0.1:9/sim/api")


@pytest.mark.parametrize("overrides, field, words", [
    ({"api_key": ""}, "api_key", "API key is required"),
    ({"shop_id": None}, "shop_id", "Shop id is required"),
    ({"webhook_secret": ""}, "webhook_secret", "Webhook secret is required"),
    ({"api_key": "fp_live abc"}, "api_key", "contains spaces"),
    ({"base_url": "api-v2.feexpay.me"}, "base_url", "http(s) URL"),
    ({"base_url": "https://api-v2.feexpay.me/api?x=1"}, "base_url", "query string"),
    ({"base_url": "https://api.feexpay.me/api"}, "base_url", "retired V1 API"),  # 5.1
])
def test_each_bad_field_is_explained(overrides, field, words):
    errors = credentials_validate(GOOD | overrides)
    assert list(errors) == [field]
    assert words in errors[field]


def test_unusable_credentials_raise_without_secrets():
    with pytest.raises(ConnectorConfigError) as excinfo:
        FeexpayCredentials.from_mapping(GOOD | {"shop_id": "", "api_key": "fp_live with space"})
    assert "shop_id" in str(excinfo.value) and "api_key" in str(excinfo.value)
    assert "fp_live with space" not in str(excinfo.value)


def test_secrets_are_masked_in_reprs():
    credentials = FeexpayCredentials.from_mapping(GOOD)
    for text in (repr(credentials), str(credentials)):
        assert "fp_live_abc123" not in text and "whsec_0123456789" not in text
        assert "5f3b2a1c-shop" in text


def test_sandbox_keys_are_recognised():
    assert FeexpayCredentials.from_mapping(GOOD | {"api_key": "test_abc"}).is_sandbox_key
    assert not FeexpayCredentials.from_mapping(GOOD).is_sandbox_key
