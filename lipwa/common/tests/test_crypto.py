"""Secrets at rest (AES-GCM), HMAC, constant-time comparison, tokens and masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.common.crypto import (
    DecryptionError,
    ciphertext_key_id,
    constant_time_equals,
    decrypt_bytes,
    decrypt_json,
    encrypt_bytes,
    encrypt_json,
    generate_key_b64,
    hmac_hex,
    key_id,
    mask_secret,
    needs_reencryption,
    random_token,
    sha256_hex,
)

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
SECRET_VALUE = "consumer-secret-Zq8X4v2LmN"
CREDENTIALS = {"consumer_key": "ck_live_7d1f", "consumer_secret": SECRET_VALUE, "shortcode": "174379"}
AD = b"ca_01HZY3M6Q8W4J7T2V5X9C0D1EF"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _flip(token: str, index: int) -> str:
    version, _, body = token.partition(".")
    raw = bytearray(base64.b64decode(body))
    raw[index] ^= 0x01
    return f"{version}.{base64.b64encode(bytes(raw)).decode()}"


# --- AES-GCM -----------------------------------------------------------------------------------------------


def test_round_trip():
    token = encrypt_json(CREDENTIALS, KEY, associated_data=AD)
    assert token.startswith("v2.")
    assert SECRET_VALUE not in token
    assert decrypt_json(token, KEY, associated_data=AD) == CREDENTIALS


def test_round_trip_without_associated_data():
    assert decrypt_json(encrypt_json({"a": 1}, KEY), KEY) == {"a": 1}


@given(st.dictionaries(st.text(max_size=15), json_values, max_size=6), st.binary(max_size=40))
def test_round_trip_property(value, associated_data):
    token = encrypt_json(value, KEY, associated_data=associated_data)
    assert decrypt_json(token, KEY, associated_data=associated_data) == value


def test_each_encryption_uses_a_fresh_nonce():
    tokens = {encrypt_json(CREDENTIALS, KEY, AD) for _ in range(50)}
    assert len(tokens) == 50
    nonces = {base64.b64decode(token[3:])[:12] for token in tokens}
    assert len(nonces) == 50


@pytest.mark.parametrize("index", [0, 5, 11, 12, 20, -16, -1])  # nonce, ciphertext and tag
def test_tampered_token_is_refused(index):
    token = encrypt_json(CREDENTIALS, KEY, AD)
    with pytest.raises(DecryptionError):
        decrypt_json(_flip(token, index), KEY, AD)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-4],  # truncated
    lambda t: t[:3],  # only the version
    lambda t: "v1" + t[2:],  # another version label is authenticated too
    lambda t: "v3" + t[2:],
    lambda t: t.replace("v2.", "", 1),
    lambda t: "",
    lambda t: "v1.!!!!",
    lambda t: "v1." + base64.b64encode(b"short").decode(),
    lambda t: None,
    lambda t: 12345,
    lambda t: t.encode(),
])
def test_malformed_token_is_refused(mangle):
    token = encrypt_json(CREDENTIALS, KEY, AD)
    with pytest.raises(DecryptionError):
        decrypt_json(mangle(token), KEY, AD)


def test_wrong_key_is_refused():
    token = encrypt_json(CREDENTIALS, KEY, AD)
    with pytest.raises(DecryptionError):
        decrypt_json(token, OTHER_KEY, AD)


@pytest.mark.parametrize("other_ad", [b"", b"ca_01HZY3M6Q8W4J7T2V5X9C0D1EG", AD + b"x", AD[:-1]])
def test_wrong_associated_data_is_refused(other_ad):
    # A ciphertext copied to another row (another id as associated data) must not decrypt there.
    token = encrypt_json(CREDENTIALS, KEY, AD)
    with pytest.raises(DecryptionError):
        decrypt_json(token, KEY, other_ad)


def test_decryption_error_reveals_nothing():
    token = encrypt_json(CREDENTIALS, KEY, AD)
    for attempt in [lambda: decrypt_json(token, OTHER_KEY, AD), lambda: decrypt_json(_flip(token, 30), KEY, AD),
                    lambda: decrypt_json(token, KEY, b"other")]:
        with pytest.raises(DecryptionError) as info:
            attempt()
        shown = " ".join([str(info.value), repr(info.value), str(info.value.__cause__ or ""),
                          repr(info.value.__cause__ or "")])
        for secret in [SECRET_VALUE, KEY, OTHER_KEY, AD.decode(), token, "ck_live_7d1f"]:
            assert secret not in shown


@pytest.mark.parametrize("bad_key", [
    "", "not base64!", "abc", base64.b64encode(b"x" * 16).decode(), base64.b64encode(b"x" * 33).decode(),
    base64.b64encode(b"x" * 31).decode(), KEY[:-2], KEY + "\n" + KEY, None, "é" * 44,
])
def test_bad_key_format_raises_value_error(bad_key):
    with pytest.raises(ValueError) as info:
        encrypt_json(CREDENTIALS, bad_key)
    assert "32 bytes" in str(info.value)
    token = encrypt_json(CREDENTIALS, KEY)
    # A malformed key is a configuration fault; it must not masquerade as tampered data.
    with pytest.raises(ValueError) as info:
        decrypt_json(token, bad_key)
    assert not isinstance(info.value, DecryptionError)
    if isinstance(bad_key, str) and bad_key:
        assert bad_key not in str(info.value)


# --- Key rotation ---------------------------------------------------------------------------------------------

NEW_KEY = base64.b64encode(bytes(range(2, 34))).decode()


def _legacy_v1(value: dict, key: str, ad: bytes) -> str:
    """A ciphertext as lipwa wrote it before key ids existed: "v1." + base64(nonce | AES-GCM)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = bytes(12)
    sealed = AESGCM(base64.b64decode(key)).encrypt(nonce, json.dumps(value, sort_keys=True).encode(), b"v1" + ad)
    return "v1." + base64.b64encode(nonce + sealed).decode()


def test_a_keyring_encrypts_with_the_newest_key_and_decrypts_with_any():
    old_token = encrypt_json(CREDENTIALS, KEY, AD)
    new_token = encrypt_json(CREDENTIALS, [NEW_KEY, KEY], AD)
    assert ciphertext_key_id(old_token) == key_id(KEY)
    assert ciphertext_key_id(new_token) == key_id(NEW_KEY)
    for token in (old_token, new_token):
        assert decrypt_json(token, [NEW_KEY, KEY], AD) == CREDENTIALS
    with pytest.raises(DecryptionError):
        decrypt_json(new_token, [KEY], AD)  # the old key alone cannot read what the new one wrote
    with pytest.raises(DecryptionError):
        decrypt_json(old_token, [NEW_KEY], AD)  # nor the reverse, once the old key is retired


def test_v1_ciphertexts_still_decrypt_with_any_configured_key():
    legacy = _legacy_v1(CREDENTIALS, KEY, AD)
    assert ciphertext_key_id(legacy) is None
    assert decrypt_json(legacy, [NEW_KEY, KEY], AD) == CREDENTIALS
    assert needs_reencryption(legacy, [NEW_KEY, KEY])
    with pytest.raises(DecryptionError):
        decrypt_json(legacy, [NEW_KEY], AD)


def test_needs_reencryption_only_for_ciphertexts_of_older_keys():
    assert needs_reencryption(encrypt_json(CREDENTIALS, KEY, AD), [NEW_KEY, KEY])
    assert not needs_reencryption(encrypt_json(CREDENTIALS, [NEW_KEY, KEY], AD), [NEW_KEY, KEY])
    assert not needs_reencryption(encrypt_bytes(b"body", NEW_KEY, AD), [NEW_KEY])
    assert needs_reencryption(encrypt_bytes(b"body", KEY, AD), NEW_KEY)
    assert not needs_reencryption("", [NEW_KEY])
    assert not needs_reencryption(None, [NEW_KEY])


def test_bytes_round_trip_through_a_rotation():
    token = encrypt_bytes(b"stored response", KEY, AD)
    assert decrypt_bytes(token, [NEW_KEY, KEY], AD) == b"stored response"
    with pytest.raises(DecryptionError):
        decrypt_bytes(token, [KEY], b"another row")


@given(st.lists(st.sampled_from([KEY, OTHER_KEY, NEW_KEY]), min_size=1, max_size=3, unique=True), json_values)
def test_any_key_of_the_ring_reads_what_it_wrote(ring, value):
    for position, key in enumerate(ring):
        token = encrypt_json({"v": value}, key, AD)
        assert decrypt_json(token, ring, AD) == {"v": value}
        assert needs_reencryption(token, ring) == (position > 0)


def test_key_ids_are_short_public_names():
    assert len(key_id(KEY)) == 8
    assert key_id(KEY) != key_id(OTHER_KEY)
    assert KEY not in key_id(KEY)


def test_an_empty_keyring_is_a_configuration_fault():
    with pytest.raises(ValueError):
        encrypt_json(CREDENTIALS, [])
    with pytest.raises(ValueError):
        decrypt_json(encrypt_json(CREDENTIALS, KEY), [NEW_KEY, "not a key"])


def test_generate_key():
    keys = {generate_key_b64() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert len(base64.b64decode(key, validate=True)) == 32
        assert decrypt_json(encrypt_json({"k": 1}, key), key) == {"k": 1}


# --- HMAC and hashing ----------------------------------------------------------------------------------------

# RFC 4231 (HMAC-SHA256/512) and RFC 2202 (HMAC-SHA1) published test vectors.
RFC_VECTORS = [
    (b"\x0b" * 20, b"Hi There", "sha256", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    ("Jefe", "what do ya want for nothing?", "sha256",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("Jefe", "what do ya want for nothing?", "sha512",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdca"
     "eab1a34d4a6b4b636e070a38bce737"),
    ("Jefe", "what do ya want for nothing?", "sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
]


@pytest.mark.parametrize(("key", "data", "algorithm", "expected"), RFC_VECTORS)
def test_hmac_published_vectors(key, data, algorithm, expected):
    assert hmac_hex(key, data, algorithm) == expected


def test_hmac_defaults_to_sha256_and_accepts_str_or_bytes():
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert hmac_hex("Jefe", "what do ya want for nothing?") == expected
    assert hmac_hex(b"Jefe", b"what do ya want for nothing?") == expected
    assert hmac_hex("Jefe", b"what do ya want for nothing?") == expected


def test_hmac_of_a_webhook_payload():
    # The Lipwa-Signature scheme of DESIGN.md §6 signs "<t>.<raw body>".
    body = '{"type":"payment.succeeded","amount":1050}'
    signed = f"1700000000.{body}"
    assert hmac_hex("whsec_test", signed) == hmac.new(b"whsec_test", signed.encode(), hashlib.sha256).hexdigest()


@given(st.binary(max_size=80), st.binary(max_size=300), st.sampled_from(["sha256", "sha1", "sha512"]))
def test_hmac_matches_the_standard_library(key, message, algorithm):
    assert hmac_hex(key, message, algorithm) == hmac.new(key, message, algorithm).hexdigest()


@given(st.text(max_size=40), st.text(max_size=200))
def test_hmac_encodes_text_as_utf8(key, message):
    assert hmac_hex(key, message) == hmac_hex(key.encode(), message.encode())


def test_sha256_known_answers():
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- comparison, tokens, masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(("left", "right", "equal"), [
    ("abc", "abc", True), (b"abc", b"abc", True), ("abc", b"abc", True), ("", "", True),
    ("abc", "abd", False), ("abc", "abcd", False), ("", "a", False), ("é", "é", True), ("é", "e", False),
    (None, "abc", False), ("abc", None, False), (None, None, False), (123, "123", False),
])
def test_constant_time_equals(left, right, equal):
    assert constant_time_equals(left, right) is equal


@given(st.text(max_size=50), st.text(max_size=50))
def test_constant_time_equals_agrees_with_equality(left, right):
    assert constant_time_equals(left, right) == (left == right)
    assert constant_time_equals(left, left)


def test_random_token():
    tokens = {random_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert set(token) <= set(string.ascii_letters + string.digits + "-_")
        assert len(token) == 32  # 24 bytes of base64url
    assert len(random_token(32)) == 43


@pytest.mark.parametrize(("value", "masked"), [
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "••••••••p7dc"),
    ("abcdefghi", "••••••••fghi"),
    ("abcdefgh", "••••••••"),
    ("abc", "•••"),
    ("", ""),
    (None, ""),
])
def test_mask_secret_examples(value, masked):
    assert mask_secret(value) == masked


@pytest.mark.parametrize("visible", [0, -1, -4, -100])
def test_mask_secret_with_nothing_visible_shows_nothing(visible):
    masked = mask_secret("sk_live_supersecretvalue", visible=visible)
    assert set(masked) == {"•"}


_secret_text = st.text(alphabet=st.characters(blacklist_characters="•", blacklist_categories=("Cs",)), max_size=80)


@given(_secret_text, st.integers(min_value=-10, max_value=4))
def test_mask_secret_reveals_at_most_the_last_four_characters(value, visible):
    masked = mask_secret(value, visible=visible)
    shown = masked.lstrip("•")
    assert len(shown) <= max(visible, 0) <= 4
    assert value.endswith(shown)
    if value:
        assert masked.startswith("•")  # something is always hidden
    if len(value) <= 2 * max(visible, 0):
        assert shown == ""  # short secrets are fully hidden: four of eight characters would be half the secret


@given(_secret_text.filter(lambda v: len(v) > 8))
def test_mask_secret_default_shows_exactly_the_last_four(value):
    assert mask_secret(value) == "•" * 8 + value[-4:]
