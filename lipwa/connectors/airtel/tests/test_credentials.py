"""Credential fields: defaults, one clear message per bad field, and secrets that never show."""

from __future__ import annotations

import pytest

from lipwa.connectors.airtel.credentials import CREDENTIAL_FIELDS, UAT_BASE_URL, AirtelCredentials, credentials_validate
from lipwa.connectors.errors import ConnectorConfigError

GOOD = {"client_id": "client-123", "client_secret": "s3cr3t-value"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "client_id", "client_secret", "message_signing", "callback_secret", "pin"]
    assert {name for name, field in fields.items() if field.secret} == {"client_secret", "callback_secret", "pin"}
    assert {name for name, field in fields.items() if not field.required} == {"callback_secret", "pin"}
    assert (fields["base_url"].default, fields["message_signing"].default) == (UAT_BASE_URL, "enabled")


def test_defaults_apply():
    credentials = AirtelCredentials.from_mapping(GOOD | {"base_url": "", "message_signing": " "})
    assert (credentials.base_url, credentials.message_signing) == (UAT_BASE_URL, True)
    assert (credentials.callback_secret, credentials.pin) == ("", "")
    unsigned = AirtelCredentials.from_mapping(GOOD | {"message_signing": "Disabled", "base_url": "http://x.test/"})
    assert (unsigned.message_signing, unsigned.base_url) == (False, "http://x.test")


@pytest.mark.parametrize("overrides, field, words", [
    ({"client_id": ""}, "client_id", "Client ID is required"),
    ({"client_secret": None}, "client_secret", "Client secret is required"),
    ({"message_signing": "yes"}, "message_signing", "'enabled' or 'disabled'"),
    ({"pin": "12345"}, "pin", "four digits"),
    ({"pin": "12a4"}, "pin", "four digits"),
    ({"base_url": "openapiuat.airtel.africa"}, "base_url", "http(s) URL"),
    ({"base_url": "https://openapiuat.airtel.africa/?x=1"}, "base_url", "query string"),
    ({"client_secret": "abc def"}, "client_secret", "spaces or line breaks"),
    ({"callback_secret": "abc\ndef"}, "callback_secret", "spaces or line breaks"),
    ({"pin": " 1234 ", "callback_secret": "cb-secret\n"}, None, None),  # surrounding whitespace is trimmed
])
def test_each_bad_field_gets_its_own_message(overrides, field, words):
    errors = credentials_validate(GOOD | overrides)
    if field is None:
        assert errors == {}
        return
    assert list(errors) == [field]
    assert words in errors[field]


def test_unusable_credentials_raise_without_showing_secrets():
    with pytest.raises(ConnectorConfigError) as excinfo:
        AirtelCredentials.from_mapping(GOOD | {"client_secret": "abc def", "pin": "98765"})
    message = str(excinfo.value)
    assert "client_secret" in message and "pin" in message
    assert "abc def" not in message and "98765" not in message


def test_repr_masks_secrets_and_the_client_id():
    credentials = AirtelCredentials.from_mapping(GOOD | {"callback_secret": "cb-secret", "pin": "4321"})
    for text in (repr(credentials), str(credentials)):
        for secret in ("s3cr3t-value", "client-123", "cb-secret", "4321"):
            assert secret not in text
        assert "openapiuat" in text and "<masked>" in text
    assert "<unset>" in repr(AirtelCredentials.from_mapping(GOOD))
