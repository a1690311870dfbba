"""Merchants, API keys and connector accounts: secrets hashed or encrypted at rest, and every refusal precise."""

from __future__ import annotations

import pytest
from django.db import connection

from lipwa.common import crypto
from lipwa.common.crypto import DecryptionError
from lipwa.common.errors import AuthenticationFailed, InvalidRequest, NotFound
from lipwa.merchants.models import ApiKey, ConnectorAccount, Merchant
from lipwa.merchants.services import (
    account_context,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    callback_token,
    callback_url,
    connector_account_create,
    demo_merchant_ensure,
    merchant_create,
)

pytestmark = pytest.mark.django_db

SECRET = "consumer-secret-Zq8X4v2LmN7"
PASSKEY = "passkey-Hk3Rw9Pq2Tz5Yb8Nc1Vd"
SIM_URL = "http://127.0.0.1:8000/simulators/mpesa"


def credentials(**overrides) -> dict[str, str]:
    return {"base_url": SIM_URL, "consumer_key": "ck-9Fh2Lk", "consumer_secret": SECRET, "shortcode": "174379",
            "passkey": PASSKEY, **overrides}


def raw_rows(model) -> list[str]:
    """Every column of every row of `model`'s table, as text, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table}")
        return [bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                for row in cursor.fetchall() for value in row]


def refused(function, **kwargs) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        function(**kwargs)
    return caught.value


# -- merchants -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   "])
def test_merchant_name_must_not_be_empty(name):
    assert refused(merchant_create, name=name).param == "name"


def test_merchant_name_is_trimmed():
    assert merchant_create(name="  Duka  ").name == "Duka"


# -- API keys ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["test", "live"])
def test_api_key_plaintext_is_returned_once_and_only_its_hash_is_stored(merchant, mode):
    key, raw = api_key_create(merchant=merchant, mode=mode, name="server")
    assert raw.startswith(f"sk_{mode}_") and len(raw) >= len(f"sk_{mode}_") + 16
    assert key.key_hash == crypto.sha256_hex(raw)
    assert key.last4 == raw[-4:]
    secret_part = raw[len(f"sk_{mode}_"):]
    for value in raw_rows(ApiKey):
        assert raw not in value and secret_part not in value, "the plaintext key must not be stored anywhere"
    assert not hasattr(ApiKey.objects.get(pk=key.pk), "raw")


def test_api_key_masked_form(merchant):
    key, raw = api_key_create(merchant=merchant, mode="test")
    assert key.masked == f"sk_test_••••{raw[-4:]}"
    assert str(key) == key.masked
    assert raw not in repr(key) and raw not in str(key)


def test_each_key_is_different(merchant):
    raws = {api_key_create(merchant=merchant, mode="test")[1] for _ in range(5)}
    assert len(raws) == 5


def test_api_key_mode_must_be_test_or_live(merchant):
    assert refused(api_key_create, merchant=merchant, mode="prod").param == "mode"


def test_authenticate_resolves_the_key_and_its_merchant(merchant):
    key, raw = api_key_create(merchant=merchant, mode="live")
    found = api_key_authenticate(raw)
    assert (found.id, found.mode, found.merchant.id) == (key.id, "live", merchant.id)


def _auth_error(raw) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as caught:
        api_key_authenticate(raw)
    assert caught.value.status == 401 and caught.value.type == "authentication_error"
    return caught.value


@pytest.mark.parametrize("raw", [None, ""])
def test_authenticate_missing_key(raw):
    assert _auth_error(raw).code == "missing_api_key"


@pytest.mark.parametrize("raw", [
    "hunter2", "sk_test_short", "sk_prod_0123456789abcdefghij", "Bearer sk_test_0123456789abcdefghij",
    "sk_test_0123456789 abcdefghij", "sk_test_0123456789abcdefghij\n", "pk_test_0123456789abcdefghij",
    "sk_test_" + "a" * 101, "sk_test_ñ123456789abcdefghij",
])
def test_authenticate_malformed_key(db, raw):
    error = _auth_error(raw)
    assert error.code == "invalid_api_key"
    assert "malformed" in error.message
    assert raw not in error.message


def test_authenticate_unknown_key_does_not_echo_it(db):
    raw = "sk_test_" + "Q" * 20 + "wxyz"
    error = _auth_error(raw)
    assert error.code == "invalid_api_key"
    assert raw not in error.message and "Q" * 8 not in error.message
    assert error.message.endswith("wxyz")


def test_revoked_key_is_refused(merchant):
    key, raw = api_key_create(merchant=merchant, mode="test")
    revoked = api_key_revoke(key_id=key.id)
    assert revoked.revoked_at is not None
    error = _auth_error(raw)
    assert error.code == "api_key_revoked"
    assert key.masked in error.message and raw not in error.message


def test_revoking_twice_keeps_the_first_time(merchant):
    key, _ = api_key_create(merchant=merchant, mode="test")
    first = api_key_revoke(key_id=key.id).revoked_at
    assert api_key_revoke(key_id=key.id).revoked_at == first


def test_revoking_an_unknown_key(db):
    with pytest.raises(NotFound):
        api_key_revoke(key_id="key_missing")


def test_revoking_one_key_leaves_the_others(merchant):
    first, _ = api_key_create(merchant=merchant, mode="test")
    _, second_raw = api_key_create(merchant=merchant, mode="test")
    api_key_revoke(key_id=first.id)
    assert api_key_authenticate(second_raw).merchant_id == merchant.id


# -- caller-chosen keys (LIPWA_DEMO_KEY) ---------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["sk_test_demo0123456789abcd", "sk_test_" + "x" * 16, "sk_test_a-b_c-d_e-f_g-h_"])
def test_a_chosen_key_in_the_right_format_is_accepted(merchant, raw):
    key, returned = api_key_create(merchant=merchant, mode="test", raw_key=raw)
    assert returned == raw
    assert api_key_authenticate(raw).id == key.id


@pytest.mark.parametrize("raw, mode", [
    ("sk_live_demo0123456789abcd", "test"),  # the prefix must match the mode
    ("sk_test_demo0123456789abcd", "live"),
    ("sk_test_" + "x" * 15, "test"),  # too short
    ("sk_test_demo 0123456789abcd", "test"),
    ("demo0123456789abcd", "test"),
    ("sk_test_demo0123456789abcd\n", "test"),
])
def test_a_chosen_key_in_the_wrong_format_is_refused(merchant, raw, mode):
    error = refused(api_key_create, merchant=merchant, mode=mode, raw_key=raw)
    assert error.param == "key"
    assert f"sk_{mode}_" in error.message
    assert ApiKey.objects.count() == 0


def test_a_chosen_key_that_exists_is_refused_not_a_database_error(merchant):
    raw = "sk_test_demo0123456789abcd"
    api_key_create(merchant=merchant, mode="test", raw_key=raw)
    error = refused(api_key_create, merchant=merchant, mode="test", raw_key=raw)
    assert (error.code, error.param) == ("api_key_exists", "key")
    assert raw not in error.message
    assert ApiKey.objects.count() == 1


# -- connector accounts --------------------------------------------------------------------------------------

def test_credentials_are_encrypted_at_rest_and_decrypt(merchant):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    stored = ConnectorAccount.objects.get(pk=account.pk)
    for secret in (SECRET, PASSKEY, "ck-9Fh2Lk"):
        assert secret not in stored.credentials_encrypted
        for value in raw_rows(ConnectorAccount):
            assert secret not in value
    values = stored.get_credentials()
    assert values["consumer_secret"] == SECRET and values["passkey"] == PASSKEY
    assert values["transaction_type"] == "CustomerPayBillOnline", "defaults are filled in"
    assert values["party_b"] == "", "optional fields are kept, empty"


def test_encrypting_twice_gives_different_ciphertexts(merchant):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    before = account.credentials_encrypted
    account.set_credentials(account.get_credentials())
    assert account.credentials_encrypted != before
    assert account.get_credentials()["consumer_secret"] == SECRET


def test_ciphertext_is_bound_to_its_row(merchant):
    first = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    second = connector_account_create(merchant=merchant, connector="mpesa", mode="test",
                                      credentials=credentials(consumer_secret="another-secret-abcdef"))
    second.credentials_encrypted = first.credentials_encrypted
    second.save()
    with pytest.raises(DecryptionError) as caught:
        ConnectorAccount.objects.get(pk=second.pk).get_credentials()
    assert SECRET not in str(caught.value)


def test_tampered_ciphertext_fails_to_decrypt(merchant):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    token = account.credentials_encrypted
    account.credentials_encrypted = token[:-6] + ("AAAA" if token[-6:-2] != "AAAA" else "BBBB") + token[-2:]
    with pytest.raises(DecryptionError):
        account.get_credentials()


def test_repr_and_context_are_masked(merchant):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    for text in (repr(account), str(account), repr(account_context(account))):
        assert SECRET not in text and PASSKEY not in text
    assert "<masked>" in repr(account)


def test_missing_credentials_are_refused_by_name(merchant):
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode="test",
                    credentials={"base_url": SIM_URL, "consumer_key": "ck", "passkey": ""})
    assert error.param == "credentials"
    assert error.message == "missing credentials for mpesa: consumer_secret, shortcode, passkey"
    assert ConnectorAccount.objects.count() == 0


def test_unknown_connector_and_mode_are_refused(merchant):
    assert refused(connector_account_create, merchant=merchant, connector="paypal", mode="test",
                   credentials=credentials()).param == "connector"
    assert refused(connector_account_create, merchant=merchant, connector="mpesa", mode="prod",
                   credentials=credentials()).param == "mode"


@pytest.mark.parametrize("base_url", [
    SIM_URL, "http://localhost:8000/simulators/mpesa", "http://[::1]:8000/", "https://lipwa.example.com/simulators/mpesa",
])
def test_a_live_account_cannot_point_at_a_simulator(merchant, base_url):
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode="live",
                    credentials=credentials(base_url=base_url))
    assert error.param == "credentials.base_url"
    assert "simulator" in error.message


@pytest.mark.parametrize("base_url", ["https://sandbox.safaricom.co.ke", None])
def test_a_live_account_cannot_point_at_a_sandbox(merchant, base_url):
    """Without a base_url the connector's default (its sandbox) applies, which a live account must not use."""
    values = credentials(base_url=base_url) if base_url else {k: v for k, v in credentials().items()
                                                              if k != "base_url"}
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode="live", credentials=values)
    assert error.param == "credentials.base_url"
    assert "sandbox" in error.message


def test_a_live_account_may_point_at_production(merchant):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="live",
                                       credentials=credentials(base_url="https://api.safaricom.co.ke"))
    assert account.mode == "live"


@pytest.mark.parametrize("base_url", ["https://api.safaricom.co.ke", "https://example.com/mpesa"])
def test_a_test_account_cannot_point_at_production(merchant, base_url):
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode="test",
                    credentials=credentials(base_url=base_url))
    assert error.param == "credentials.base_url"
    assert "simulator or a gateway sandbox" in error.message


def test_a_test_account_may_point_at_the_sandbox(merchant):
    values = {k: v for k, v in credentials().items() if k != "base_url"}
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=values)
    assert account.get_credentials()["base_url"] == "https://sandbox.safaricom.co.ke"


@pytest.mark.parametrize("base_url", ["ftp://sandbox.safaricom.co.ke", "sandbox.safaricom.co.ke",
                                      "javascript:alert(1)", "file:///etc/passwd", "http://"])
@pytest.mark.parametrize("mode", ["test", "live"])
def test_a_non_http_base_url_is_refused(merchant, base_url, mode):
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode=mode,
                    credentials=credentials(base_url=base_url))
    assert error.param == "credentials.base_url"
    assert "http(s)" in error.message


def test_refusals_never_echo_secrets(merchant):
    error = refused(connector_account_create, merchant=merchant, connector="mpesa", mode="live",
                    credentials=credentials())
    assert SECRET not in error.message and PASSKEY not in error.message


# -- callback tokens -----------------------------------------------------------------------------------------

def test_callback_token_is_stable_and_per_account(merchant):
    first = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    second = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    token = callback_token(first)
    assert token == callback_token(ConnectorAccount.objects.get(pk=first.pk))
    assert len(token) == 40 and token != callback_token(second)
    assert token not in raw_rows(ConnectorAccount), "derived, never stored"


def test_rotating_the_salt_changes_the_token(merchant, settings):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    before = callback_token(account)
    account.callback_salt = crypto.random_token()
    account.save()
    assert callback_token(ConnectorAccount.objects.get(pk=account.pk)) != before
    assert account.get_credentials()["consumer_secret"] == SECRET, "credentials are untouched"


def test_callback_url_names_the_slug_account_and_token(merchant, settings):
    settings.LIPWA_PUBLIC_URL = "https://pay.example.com"
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    url = callback_url(account)
    assert url == f"https://pay.example.com/hooks/daraja/{account.id}/{callback_token(account)}/"
    assert "mpesa" not in url.lower(), "Daraja drops callback URLs that contain the word"


def test_callback_token_depends_on_the_secret_key(merchant, settings):
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials())
    before = callback_token(account)
    settings.SECRET_KEY = "another-secret-key-0123456789-abcdefghij"
    assert callback_token(account) != before


# -- the demo merchant ---------------------------------------------------------------------------------------

def test_demo_merchant_ensure_is_idempotent(db):
    merchant, raw = demo_merchant_ensure(raw_key=None, simulator_base_url="http://127.0.0.1:8000")
    accounts = set(merchant.connector_accounts.values_list("id", flat=True))
    assert accounts and api_key_authenticate(raw).merchant_id == merchant.id
    again, _ = demo_merchant_ensure(raw_key=None, simulator_base_url="http://127.0.0.1:8000")
    assert again.id == merchant.id
    assert set(again.connector_accounts.values_list("id", flat=True)) == accounts
    assert Merchant.objects.filter(name="Demo merchant").count() == 1
    account = merchant.connector_accounts.get(connector="mpesa")
    assert account.mode == "test"
    assert account.get_credentials()["base_url"] == "http://127.0.0.1:8000/simulators/mpesa"


def test_demo_merchant_with_a_given_key_creates_it_once(db):
    raw = "sk_test_demo0123456789abcd"
    merchant, first = demo_merchant_ensure(raw_key=raw, simulator_base_url="http://127.0.0.1:8000")
    _, second = demo_merchant_ensure(raw_key=raw, simulator_base_url="http://127.0.0.1:8000")
    assert first == second == raw
    assert ApiKey.objects.filter(key_hash=crypto.sha256_hex(raw)).count() == 1
    assert ApiKey.objects.filter(merchant=merchant).count() == 1
    assert api_key_authenticate(raw).merchant_id == merchant.id


def test_demo_merchant_refuses_a_malformed_key(db):
    error = refused(demo_merchant_ensure, raw_key="demo-key", simulator_base_url="http://127.0.0.1:8000")
    assert error.param == "key"


def test_demo_merchant_refuses_a_revoked_key_cleanly(db):
    raw = "sk_test_demo0123456789abcd"
    demo_merchant_ensure(raw_key=raw, simulator_base_url="http://127.0.0.1:8000")
    api_key_revoke(key_id=ApiKey.objects.get().id)
    error = refused(demo_merchant_ensure, raw_key=raw, simulator_base_url="http://127.0.0.1:8000")
    assert (error.code, error.param) == ("api_key_exists", "key")
    assert raw not in error.message


def test_demo_merchant_refuses_another_merchants_key(merchant):
    raw = "sk_test_demo0123456789abcd"
    api_key_create(merchant=merchant, mode="test", raw_key=raw)
    error = refused(demo_merchant_ensure, raw_key=raw, simulator_base_url="http://127.0.0.1:8000")
    assert error.code == "api_key_exists"
    assert api_key_authenticate(raw).merchant_id == merchant.id
