"""Known answers for Airtel's message signing, PIN encryption (PROVIDERS.md §3.3) and callback hash (§3.6).

The deterministic parts are pinned with vectors computed by `openssl` (an implementation independent of ours):

    printf '%s' "$BODY" | openssl enc -aes-256-cbc -K 000102…1f -iv 000102…0f | base64 -w0
    printf '%s' "$TRANSACTION" | openssl dgst -sha256 -hmac sim_secret -binary | base64

RSA PKCS#1 v1.5 encryption is randomised, so it is checked by decrypting with the private key.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lipwa.connectors.airtel import signing

from .stub import aes_decrypt, public_key_b64, rsa_decrypt, unsign

# The §3.4 sample body, compact, as the client sends it.
BODY = (b'{"reference":"Testing transaction","subscriber":{"country":"UG","currency":"UGX","msisdn":"752604392"},'
        b'"transaction":{"amount":1000,"country":"UG","currency":"UGX","id":"random-unique-id"}}')
AES_KEY = bytes(range(32))
AES_IV = bytes(range(16))
# openssl enc -aes-256-cbc -K 0001…1f -iv 0001…0f over BODY.
X_SIGNATURE = ("z3qQ9dlMT0x7LIOUTQewn2PHlxnfyT4dPSldcdNtzQNRN7MJ/T0cvYUVzqMa3G0cmWFYd32Dtw18YZGx5BTnGiHgRsae1R"
               "oAgvZyiyAIMZotlynzDlpP6mjtMr0jbTvEj8X0Pu/4SyI2Mirib3CkNOWCy+KpoEhdAmxWBll9MOQiDeOCef8t/sQ6Z0XVny7"
               "xftLkYZWPtxsDFvnn2OEXktOnfiKH+Kdp8DC7nO8H5YfbsbtoK/fFzDgDcEKg0/qU")
# The §3.6 sample transaction, compact, and its hash under the simulator's secret (openssl dgst -hmac).
TRANSACTION = (b'{"id":"BBZMiscxy","message":"Paid UGX 5,000 to TECHNOLOGIES LIMITED Charge UGX 140, Trans ID '
               b'MP210603.1234.L06941.","status_code":"TS","airtel_money_id":"MP210603.1234.L06941"}')
TRANSACTION_HASH = "qDOToBuq5h9cxs8juVlRJ2gLy1Om/WqnXotnzRULXas="


@pytest.fixture(scope="module")
def public_key():
    return signing.load_public_key(public_key_b64())


def test_aes_known_answer():
    assert base64.b64encode(signing.aes_cbc_encrypt(AES_KEY, AES_IV, BODY)).decode() == X_SIGNATURE


def test_sign_body_with_a_fixed_key_and_iv(public_key):
    signature = signing.sign_body(BODY, public_key, key=AES_KEY, iv=AES_IV)
    assert signature.x_signature == X_SIGNATURE
    # x-key is RSA PKCS#1 v1.5 over ASCII "<base64 key>:<base64 iv>" (§3.3 step 3).
    assert rsa_decrypt(signature.x_key) == b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=:AAECAwQFBgcICQoLDA0ODw=="
    assert signature.headers() == {"x-signature": X_SIGNATURE, "x-key": signature.x_key}


def test_sign_body_uses_a_fresh_key_every_time(public_key):
    first, second = signing.sign_body(BODY, public_key), signing.sign_body(BODY, public_key)
    assert first.x_signature != second.x_signature and first.x_key != second.x_key
    for signature in (first, second):
        assert unsign(signature.headers()) == BODY
        key_b64, _, iv_b64 = rsa_decrypt(signature.x_key).decode().partition(":")
        assert (len(base64.b64decode(key_b64)), len(base64.b64decode(iv_b64))) == (32, 16)


@pytest.mark.parametrize("plaintext", [b"", b"x" * 16, "Payé".encode()])
def test_aes_pads_with_pkcs7(plaintext):
    ciphertext = signing.aes_cbc_encrypt(AES_KEY, AES_IV, plaintext)
    assert len(ciphertext) % 16 == 0 and len(ciphertext) > len(plaintext)
    assert aes_decrypt(AES_KEY, AES_IV, ciphertext) == plaintext


def test_aes_refuses_wrong_sizes():
    with pytest.raises(ValueError, match="32-byte key"):
        signing.aes_cbc_encrypt(bytes(16), AES_IV, BODY)


def test_pin_is_rsa_encrypted_and_randomised(public_key):
    first, second = signing.encrypt_pin("1234", public_key), signing.encrypt_pin("1234", public_key)
    assert first != second
    assert rsa_decrypt(first) == rsa_decrypt(second) == b"1234"


def test_compact_json_is_what_gets_signed():
    body = {"reference": "Testing transaction",
            "subscriber": {"country": "UG", "currency": "UGX", "msisdn": "752604392"},
            "transaction": {"amount": 1000, "country": "UG", "currency": "UGX", "id": "random-unique-id"}}
    assert signing.compact_json(body) == BODY


def test_public_key_with_pem_armour_is_accepted():
    pem = "-----BEGIN PUBLIC KEY-----\n" + public_key_b64() + "\n-----END PUBLIC KEY-----\n"
    assert signing.load_public_key(pem).key_size == 2048


@pytest.mark.parametrize("value, words", [
    ("not base64!", "not a base64 DER public key"),
    (base64.b64encode(b"junk").decode(), "not a base64 DER public key"),
    (base64.b64encode(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode(), "not an RSA key"),
])
def test_unusable_keys_are_refused(value, words):
    with pytest.raises(signing.UnusableKey, match=words):
        signing.load_public_key(value)


# -- the callback hash -------------------------------------------------------------------------------------


def test_callback_hash_known_answer():
    assert signing.callback_hash("sim_secret", TRANSACTION) == TRANSACTION_HASH


def test_hash_candidates_put_the_raw_text_first_then_the_sdk_s_re_serialisation():
    transaction = {"id": "x", "message": "Payé"}
    raw = b'{ "id" : "x", "message" : "Pay\xc3\xa9" }'
    assert signing.hash_candidates(raw, transaction) == [
        raw, b'{"id":"x","message":"Pay\\u00e9"}', '{"id":"x","message":"Payé"}'.encode()]
    assert signing.hash_candidates(None, {"id": "x"}) == [b'{"id":"x"}']


def test_hash_matches_any_candidate_and_nothing_else():
    candidates = [b"other", TRANSACTION]
    assert signing.hash_matches("sim_secret", TRANSACTION_HASH, candidates)
    assert signing.hash_matches("sim_secret", f" {TRANSACTION_HASH}\n", candidates)
    assert not signing.hash_matches("other_secret", TRANSACTION_HASH, candidates)
    assert not signing.hash_matches("sim_secret", TRANSACTION_HASH, [b"other"])
    assert not signing.hash_matches("sim_secret", "", candidates)
