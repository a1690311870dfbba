"""Credential fields: defaults, one clear message per bad field, disbursement fallbacks, secrets that never show."""

from __future__ import annotations

import pytest

from lipwa.connectors.errors import ConnectorConfigError
from lipwa.connectors.mtn_momo.credentials import (
    CREDENTIAL_FIELDS,
    SANDBOX_BASE_URL,
    TARGET_ENVIRONMENTS,
    MomoCredentials,
    credentials_validate,
)

GOOD = {"subscription_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "api_user": "b5f1ec47-0d0a-4b8c-9c3f-1c2d3e4f5a6b",
        "api_key": "s3cr3t-api-key"}


def test_fields():
    fields = {field.name: field for field in CREDENTIAL_FIELDS}
    assert list(fields) == ["base_url", "target_environment", "subscription_key", "api_user", "api_key",
                            "disbursement_subscription_key", "disbursement_api_user", "disbursement_api_key"]
    assert {name for name, field in fields.items() if field.secret} == {
        "subscription_key", "api_key", "disbursement_subscription_key", "disbursement_api_key"}
    assert (fields["base_url"].default, fields["target_environment"].default) == (SANDBOX_BASE_URL, "sandbox")
    assert {name for name, field in fields.items() if not field.required} == {
        "disbursement_subscription_key", "disbursement_api_user", "disbursement_api_key"}


def test_target_environments_and_their_currencies():
    """PROVIDERS.md 2.1 lists the values; the sandbox is EUR only (2.4) and production the local currency."""
    table = {name: (env.country, env.currencies) for name, env in TARGET_ENVIRONMENTS.items()}
    assert table == {
        "sandbox": ("", ("EUR",)), "mtnuganda": ("UG", ("UGX",)), "mtnghana": ("GH", ("GHS",)),
        "mtnivorycoast": ("CI", ("XOF",)), "mtnzambia": ("ZM", ("ZMW",)), "mtncameroon": ("CM", ("XAF",)),
        "mtnbenin": ("BJ", ("XOF",)), "mtncongo": ("CG", ("XAF",)), "mtnguineaconakry": ("GN", ("GNF",)),
        "mtnsouthafrica": ("ZA", ("ZAR",)), "mtnliberia": ("LR", ("LRD", "USD")), "mtnsouthsudan": ("SS", ("SSP",)),
        "mtnnigeria": ("NG", ("NGN",)), "mtnrwanda": ("RW", ("RWF",)),
    }


def test_defaults_apply_and_disbursement_falls_back_to_collection():
    credentials = MomoCredentials.from_mapping(GOOD | {"base_url": "", "target_environment": " "})
    assert credentials.base_url == SANDBOX_BASE_URL
    assert credentials.target_environment.name == "sandbox"
    assert (credentials.collection.product, credentials.disbursement.product) == ("collection", "disbursement")
    assert credentials.disbursement.subscription_key == GOOD["subscription_key"]
    assert (credentials.disbursement.api_user, credentials.disbursement.api_key) == (GOOD["api_user"], GOOD["api_key"])


def test_separate_disbursement_keys_are_used():
    credentials = MomoCredentials.from_mapping(GOOD | {"disbursement_subscription_key": "d-sub",
                                                       "disbursement_api_user": "d-user",
                                                       "disbursement_api_key": "d-key"})
    disbursement = credentials.disbursement
    assert (disbursement.subscription_key, disbursement.api_user, disbursement.api_key) == ("d-sub", "d-user", "d-key")
    assert credentials.collection.api_user == GOOD["api_user"]


def test_base_url_loses_its_trailing_slash():
    assert MomoCredentials.from_mapping(GOOD | {"base_url": "http://127.0.0.1:8000/simulators/mtn_momo/"}).base_url \
        == "http://127.0.0.1:8000/simulators/mtn_momo"


@pytest.mark.parametrize("overrides, field, words", [
    ({"subscription_key": ""}, "subscription_key", "Collection subscription key is required"),
    ({"api_user": None}, "api_user", "Collection API user is required"),
    ({"api_key": "  "}, "api_key", "Collection API key is required"),
    ({"target_environment": "mtnkenya"}, "target_environment", "must be one of"),
    ({"target_environment": "mtnswaziland"}, "target_environment", "must be one of"),
    ({"base_url": "sandbox.momodeveloper.mtn.com"}, "base_url", "http(s) URL"),
    ({"base_url": "https://sandbox.momodeveloper.mtn.com/?x=1"}, "base_url", "query string"),
    ({"api_key": "abc def"}, "api_key", "spaces or line breaks"),
    ({"disbursement_api_key": "abc\ndef"}, "disbursement_api_key", "spaces or line breaks"),
    ({"subscription_key": GOOD["subscription_key"] + "\n"}, None, None),  # surrounding whitespace is trimmed
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
        MomoCredentials.from_mapping(GOOD | {"api_key": "abc def", "subscription_key": ""})
    message = str(excinfo.value)
    assert "api_key" in message and "subscription_key" in message
    assert "abc def" not in message


def test_repr_masks_secrets_and_the_user():
    credentials = MomoCredentials.from_mapping(GOOD)
    for text in (repr(credentials), str(credentials), repr(credentials.collection), repr(credentials.disbursement)):
        for secret in GOOD.values():
            assert secret not in text
    assert "sandbox" in repr(credentials)
