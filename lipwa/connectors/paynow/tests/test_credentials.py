"""Credential fields: defaults, one clear message per bad field, and a key that never shows."""

from __future__ import annotations

import pytest

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.paynow.credentials import (
    CREDENTIAL_FIELDS,
    PRODUCTION_BASE_URL,
    PaynowCredentials,
    credentials_validate,
)

KEY = "4e1af19b-86de-4b9d-92b4-f52f5f725f07"
GOOD = {"integration_id": "21452", "integration_key": KEY, "merchant_email": "owner@shop.co.zw"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "integration_id", "integration_key", "merchant_email", "currency"]
    assert {name for name, field in fields.items() if field.secret} == {"integration_key"}
    assert fields["base_url"].default == PRODUCTION_BASE_URL == "https://www.paynow.co.zw"
    assert fields["currency"].default == "USD"
    assert not fields["merchant_email"].required


def test_defaults_apply():
    credentials = PaynowCredentials.from_mapping(GOOD | {"base_url": " ", "currency": "zwg"})
    assert (credentials.base_url, credentials.currency) == (PRODUCTION_BASE_URL, "ZWG")
    assert PaynowCredentials.from_mapping({**GOOD, "base_url": "http://127.0.0.1:8000/simulators/paynow/"}).base_url \
        == "http://127.0.0.1:8000/simulators/paynow"


@pytest.mark.parametrize("overrides, field, words", [
    ({"integration_id": ""}, "integration_id", "Integration ID is required"),
    ({"integration_key": None}, "integration_key", "Integration key is required"),
    ({"integration_key": "abc def"}, "integration_key", "spaces or line breaks"),
    ({"integration_id": "21 452"}, "integration_id", "spaces or line breaks"),
    ({"merchant_email": "owner"}, "merchant_email", "not an email address"),
    ({"currency": "ZWL"}, "currency", "USD or ZWG"),
    ({"base_url": "www.paynow.co.zw"}, "base_url", "http(s) URL"),
    ({"base_url": "https://www.paynow.co.zw/?x=1"}, "base_url", "query string"),
    ({"merchant_email": ""}, None, None),  # optional: only test-mode express checkout needs it
    ({"integration_key": KEY + "\n"}, None, None),  # surrounding whitespace is trimmed, not refused
])
def test_each_bad_field_gets_its_own_message(overrides, field, words):
    errors = credentials_validate(GOOD | overrides)
    if field is None:
        assert errors == {}
        return
    assert list(errors) == [field]
    assert words in errors[field]


def test_unusable_credentials_raise_without_showing_the_key():
    with pytest.raises(ConnectorConfigError) as excinfo:
        PaynowCredentials.from_mapping(GOOD | {"integration_key": "abc def", "integration_id": ""})
    message = str(excinfo.value)
    assert "integration_key" in message and "integration_id" in message
    assert "abc def" not in message


def test_repr_masks_the_key():
    credentials = PaynowCredentials.from_mapping(GOOD)
    for text in (repr(credentials), str(credentials)):
        assert KEY not in text and "21452" in text and "<masked>" in text
