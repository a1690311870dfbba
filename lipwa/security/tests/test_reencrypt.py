"""Key rotation: after `reencrypt`, every ciphertext is under the newest key and the old key can be retired."""

from __future__ import annotations

import base64
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from lipwa.common import crypto
from lipwa.merchants.services import connector_account_create
from lipwa.payments.idempotency import idempotency_begin, idempotency_complete
from lipwa.security.reencrypt import ENCRYPTED_COLUMNS, ciphertexts_reencrypt
from lipwa.webhooks_out.services import webhook_endpoint_create

OLD_KEY = base64.b64encode(b"o" * 32).decode()
NEW_KEY = base64.b64encode(b"n" * 32).decode()

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_secrets(merchant, settings):
    """One row of every encrypted column, written under the old key."""
    settings.LIPWA_ENCRYPTION_KEYS = [OLD_KEY]
    accounts = [connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials={
        "consumer_key": f"sim_key{i}", "consumer_secret": "sim_secret", "shortcode": "174379",
        "passkey": "pk", "base_url": "http://127.0.0.1:9/simulators/mpesa"}) for i in range(3)]
    endpoint, secret = webhook_endpoint_create(merchant=merchant, mode="test", url="https://example.com/hooks",
                                               enabled_events=["*"])
    record, _ = idempotency_begin(merchant=merchant, mode="test", key="order-1", method="POST",
                                  path="/v1/payments", body=b"{}")
    idempotency_complete(record=record, status=201, body=b'{"id": "pay_1", "secret": "shown once"}',
                         content_type="application/json")
    return {"accounts": accounts, "endpoint": endpoint, "secret": secret, "record": record}


def _rotate(settings):
    settings.LIPWA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]


def _all_ciphertexts():
    for column in ENCRYPTED_COLUMNS:
        for token in column.model._default_manager.values_list(column.field, flat=True):
            if token:
                yield column.label, bytes(token) if column.binary else token


def test_every_encrypted_field_is_listed_for_reencryption():
    listed = {(column.model, column.field) for column in ENCRYPTED_COLUMNS}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.name.endswith("_encrypted"):
                assert (model, field.name) in listed, f"{model._meta.label}.{field.name} is not re-encrypted"


def test_rotation_rewrites_everything_and_the_old_key_can_go(stored_secrets, settings):
    _rotate(settings)
    reports = ciphertexts_reencrypt(batch_size=2)
    rewritten = {r.label: r.rewritten for r in reports}
    assert rewritten["merchants.ConnectorAccount.credentials_encrypted"] == 3
    assert rewritten["webhooks_out.WebhookEndpoint.secrets_encrypted"] == 1
    assert rewritten["payments.IdempotencyRecord.response_body"] == 1
    assert all(not r.undecryptable for r in reports)
    for label, token in _all_ciphertexts():
        assert crypto.ciphertext_key_id(token) == crypto.key_id(NEW_KEY), label

    settings.LIPWA_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is retired: everything still reads
    account = stored_secrets["accounts"][0]
    account.refresh_from_db()
    assert account.get_credentials()["consumer_key"] == "sim_key0"
    endpoint = stored_secrets["endpoint"]
    endpoint.refresh_from_db()
    assert endpoint.get_secrets()[0]["secret"] == stored_secrets["secret"]
    _, replay = idempotency_begin(merchant=account.merchant, mode="test", key="order-1", method="POST",
                                  path="/v1/payments", body=b"{}")
    assert replay.body == b'{"id": "pay_1", "secret": "shown once"}'


def test_reencrypt_is_idempotent(stored_secrets, settings):
    _rotate(settings)
    ciphertexts_reencrypt()
    before = sorted(_all_ciphertexts())
    again = ciphertexts_reencrypt()
    assert all(r.rewritten == 0 and r.current == r.scanned for r in again)
    assert sorted(_all_ciphertexts()) == before  # nothing was rewritten a second time


def test_dry_run_counts_without_writing(stored_secrets, settings):
    before = sorted(_all_ciphertexts())
    _rotate(settings)
    reports = ciphertexts_reencrypt(dry_run=True)
    assert sum(r.rewritten for r in reports) == 5
    assert sorted(_all_ciphertexts()) == before


def test_rows_no_key_can_read_are_reported_and_left_alone(stored_secrets, settings):
    settings.LIPWA_ENCRYPTION_KEYS = [NEW_KEY]  # the old key was dropped before re-encrypting
    account = stored_secrets["accounts"][1]
    reports = ciphertexts_reencrypt()
    accounts = next(r for r in reports if r.label.endswith("credentials_encrypted"))
    assert account.id in accounts.undecryptable and accounts.rewritten == 0
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("reencrypt", stdout=out, stderr=err)
    assert account.id in err.getvalue()
    settings.LIPWA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # put the old key back: the rotation completes
    call_command("reencrypt", stdout=out, stderr=err)
    assert "nothing is left under an older key" in out.getvalue()


def test_the_command_reports_per_column(stored_secrets, settings):
    _rotate(settings)
    out = io.StringIO()
    call_command("reencrypt", "--batch-size", "1", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"newest key {crypto.key_id(NEW_KEY)}" in text and crypto.key_id(OLD_KEY) in text
    assert "merchants.ConnectorAccount.credentials_encrypted: 3 rows, would rewrite 3" in text
    call_command("reencrypt", stdout=out)
    assert "rewrote 3" in out.getvalue()


@pytest.mark.parametrize("keys", [["not a key"], [""], [], [NEW_KEY, "not a key"]])
def test_a_bad_or_missing_key_stops_before_any_write(stored_secrets, settings, keys):
    before = sorted(_all_ciphertexts())
    settings.LIPWA_ENCRYPTION_KEYS = keys
    with pytest.raises(CommandError, match="not usable"):
        call_command("reencrypt", stdout=io.StringIO())
    with pytest.raises(ValueError):
        ciphertexts_reencrypt()
    assert sorted(_all_ciphertexts()) == before


def test_a_bad_batch_size_is_refused(settings):
    with pytest.raises(CommandError, match="batch-size"):
        call_command("reencrypt", "--batch-size", "0", stdout=io.StringIO())
