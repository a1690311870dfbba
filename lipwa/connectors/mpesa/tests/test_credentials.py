"""Credential fields: defaults, one clear message per bad field, and secrets that never show."""

from __future__ import annotations

import pytest

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.mpesa.credentials import (
    CREDENTIAL_FIELDS,
    SANDBOX_BASE_URL,
    SANDBOX_PASSKEY,
    MpesaCredentials,
    credentials_validate,
)

GOOD = {"consumer_key": "key123", "consumer_secret": "s3cr3t-value", "shortcode": "174379",
        "passkey": SANDBOX_PASSKEY}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "consumer_key", "consumer_secret", "shortcode", "passkey",
                            "transaction_type", "party_b"]
    assert {name for name, field in fields.items() if field.secret} == {"consumer_secret", "passkey"}
    assert fields["base_url"].default == SANDBOX_BASE_URL
    assert fields["transaction_type"].default == "CustomerPayBillOnline"
    assert not fields["party_b"].required


def test_defaults_apply_and_party_b_falls_back_to_the_shortcode():
    credentials = MpesaCredentials.from_mapping(GOOD | {"base_url": "", "transaction_type": " "})
    assert credentials.base_url == SANDBOX_BASE_URL
    assert credentials.transaction_type == "CustomerPayBillOnline"
    assert credentials.party_b == "174379"
    till = MpesaCredentials.from_mapping(GOOD | {"transaction_type": "CustomerBuyGoodsOnline", "party_b": "5432101"})
    assert (till.shortcode, till.party_b) == ("174379", "5432101")


@pytest.mark.parametrize("overrides, field, words", [
    ({"consumer_key": ""}, "consumer_key", "Consumer key is required"),
    ({"consumer_secret": None}, "consumer_secret", "Consumer secret is required"),
    ({"passkey": "  "}, "passkey", "passkey is required"),
    ({"shortcode": "17437"[:4]}, "shortcode", "5 to 7 digits"),
    ({"shortcode": "abc1234"}, "shortcode", "5 to 7 digits"),
    ({"party_b": "12"}, "party_b", "Till number must be 5 to 7 digits"),
    ({"transaction_type": "BuyGoods"}, "transaction_type", "CustomerPayBillOnline or CustomerBuyGoodsOnline"),
    ({"base_url": "sandbox.safaricom.co.ke"}, "base_url", "http(s) URL"),
    ({"base_url": "ftp://sandbox.safaricom.co.ke"}, "base_url", "http(s) URL"),
    ({"base_url": "https://sandbox.safaricom.co.ke/?x=1"}, "base_url", "query string"),
    ({"consumer_secret": "abc def"}, "consumer_secret", "spaces or line breaks"),
    ({"passkey": SANDBOX_PASSKEY + "\n"}, None, None),  # surrounding whitespace is trimmed, not refused
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
        MpesaCredentials.from_mapping(GOOD | {"consumer_secret": "abc def", "shortcode": ""})
    message = str(excinfo.value)
    assert "consumer_secret" in message and "shortcode" in message
    assert "abc def" not in message


def test_repr_masks_secrets_and_the_key():
    credentials = MpesaCredentials.from_mapping(GOOD)
    for text in (repr(credentials), str(credentials)):
        assert "s3cr3t-value" not in text and SANDBOX_PASSKEY not in text and "key123" not in text
        assert "174379" in text
