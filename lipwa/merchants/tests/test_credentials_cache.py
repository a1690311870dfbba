"""Decrypted credentials are kept per process, keyed by ciphertext and keyring: never stale, never shared."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lipwa.common import crypto
from lipwa.common.crypto import DecryptionError
from lipwa.merchants.models import ConnectorAccount
from lipwa.merchants.services import connector_account_create

pytestmark = pytest.mark.django_db

SIM_URL = "http://127.0.0.1:8000/simulators/mpesa"


def credentials(**overrides) -> dict[str, str]:
    return {"base_url": SIM_URL, "consumer_key": "ck-9Fh2Lk", "consumer_secret": "cs-Zq8X4v2LmN7",
            "shortcode": "174379", "passkey": "pk-Hk3Rw9Pq2Tz5Yb8Nc1Vd", **overrides}


@pytest.fixture
def account(merchant) -> ConnectorAccount:
    return connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())


def test_a_caller_changing_its_copy_changes_nothing_for_the_next(account):
    first = account.get_credentials()
    stored = dict(first)
    first["consumer_secret"] = "changed"
    assert ConnectorAccount.objects.get(id=account.id).get_credentials() == stored


def test_new_credentials_are_read_at_once(account):
    assert account.get_credentials()["shortcode"] == "174379"
    account.set_credentials(credentials(shortcode="600000"))
    account.save()
    assert ConnectorAccount.objects.get(id=account.id).get_credentials()["shortcode"] == "600000"


def test_a_keyring_without_the_key_still_refuses_after_a_successful_read(account):
    assert account.get_credentials()["shortcode"] == "174379"
    with override_settings(LIPWA_ENCRYPTION_KEYS=[crypto.generate_key_b64()]):
        with pytest.raises(DecryptionError):
            account.get_credentials()


def test_a_ciphertext_moved_to_another_account_does_not_open(account, merchant):
    other = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    assert account.get_credentials()["shortcode"] == "174379"
    other.credentials_encrypted = account.credentials_encrypted  # bound to its own row by the associated data
    with pytest.raises(DecryptionError):
        other.get_credentials()


def test_a_tampered_ciphertext_is_refused_every_time(account):
    account.credentials_encrypted = account.credentials_encrypted[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(DecryptionError):
            account.get_credentials()
