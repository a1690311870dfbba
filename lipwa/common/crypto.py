"""Secrets at rest (AES-GCM with key rotation), HMAC signing and comparison, random tokens and key hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# v1: "v1." + base64(nonce | ciphertext), under the only key there was. v2 adds a key id so that several keys can
# be configured at once (newest first) during a rotation: "v2." + base64(key id (4 bytes) | nonce | ciphertext).
_V1 = b"v1"
_V2 = b"v2"
_KEY_ID_BYTES = 4

# One key (base64 of 32 bytes), or a keyring: every key that may still be needed to decrypt, the newest first.
# Only the newest encrypts.
Keys = str | Sequence[str]


class DecryptionError(Exception):
    pass


def _key_bytes(key_b64: str) -> bytes:
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError("the encryption key must be base64 of 32 bytes") from exc
    if len(key) != 32:
        raise ValueError("the encryption key must be base64 of 32 bytes")
    return key


def _keyring(keys: Keys) -> list[bytes]:
    """Every key as bytes, newest first; a malformed key is a configuration fault (ValueError)."""
    ring = [keys] if isinstance(keys, str) or keys is None else list(keys)
    if not ring:
        raise ValueError("no encryption key is configured: the encryption key must be base64 of 32 bytes")
    return [_key_bytes(key) for key in ring]


def _id_of(key: bytes) -> bytes:
    # A short hash prefix names the key without revealing anything useful about it.
    return hashlib.sha256(b"lipwa encryption key id\x00" + key).digest()[:_KEY_ID_BYTES]


def key_id(key_b64: str) -> str:
    """The public name of a key (8 hex digits), as stored in every ciphertext it makes."""
    return _id_of(_key_bytes(key_b64)).hex()


def generate_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _seal(plaintext: bytes, keys: Keys, associated_data: bytes) -> bytes:
    key = _keyring(keys)[0]
    kid, nonce = _id_of(key), os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, _V2 + kid + associated_data)
    return _V2 + b"." + base64.b64encode(kid + nonce + sealed)


def _open(token: bytes, keys: Keys, associated_data: bytes, what: str) -> bytes:
    # A malformed key is a configuration fault, not tampered data: let its ValueError through unchanged.
    ring = _keyring(keys)
    try:
        version, _, body = token.partition(b".")
        raw = base64.b64decode(body)
        if version == _V2:
            kid, nonce, sealed = raw[:_KEY_ID_BYTES], raw[_KEY_ID_BYTES:_KEY_ID_BYTES + 12], raw[_KEY_ID_BYTES + 12:]
            candidates = [key for key in ring if _id_of(key) == kid]
            aad = _V2 + kid + associated_data
        elif version == _V1:
            nonce, sealed, candidates, aad = raw[:12], raw[12:], ring, _V1 + associated_data
        else:
            raise ValueError("unknown ciphertext version")
    except Exception as exc:  # any failure means the ciphertext is wrong; say nothing more.
        raise DecryptionError(f"{what} could not be decrypted (wrong key or tampered data)") from exc
    for key in candidates:
        try:
            return AESGCM(key).decrypt(nonce, sealed, aad)
        except Exception:  # noqa: S112 - the next configured key may be the right one
            continue
    raise DecryptionError(f"{what} could not be decrypted (wrong key or tampered data)")


def ciphertext_key_id(token: str | bytes) -> str | None:
    """The id of the key a ciphertext was made with; None for v1 ciphertexts (made before key ids existed)."""
    raw_token = token.encode() if isinstance(token, str) else bytes(token)
    version, _, body = raw_token.partition(b".")
    if version != _V2:
        return None
    try:
        return base64.b64decode(body)[:_KEY_ID_BYTES].hex()
    except ValueError:
        return None


def needs_reencryption(token: str | bytes | None, keys: Keys) -> bool:
    """True when a stored ciphertext was not made with the newest key (so a rotation must rewrite it)."""
    if not token:
        return False
    return ciphertext_key_id(token) != _id_of(_keyring(keys)[0]).hex()


def encrypt_json(value: dict, keys: Keys, associated_data: bytes = b"") -> str:
    """Encrypt a JSON object; the associated data binds the ciphertext to its row (it cannot be moved)."""
    return _seal(json.dumps(value, sort_keys=True).encode(), keys, associated_data).decode()


def decrypt_json(token: str, keys: Keys, associated_data: bytes = b"") -> dict:
    token_bytes = token.encode() if isinstance(token, str) else b""
    return json.loads(_open(token_bytes, keys, associated_data, "credentials"))


def encrypt_bytes(value: bytes, keys: Keys, associated_data: bytes = b"") -> bytes:
    """AES-GCM for opaque bytes (stored API responses may carry secrets shown once)."""
    return _seal(value, keys, associated_data)


def decrypt_bytes(token: bytes, keys: Keys, associated_data: bytes = b"") -> bytes:
    return _open(bytes(token), keys, associated_data, "stored data")


def hmac_hex(secret: str | bytes, message: str | bytes, algorithm: str = "sha256") -> str:
    secret_bytes = secret.encode() if isinstance(secret, str) else secret
    message_bytes = message.encode() if isinstance(message, str) else message
    return hmac.new(secret_bytes, message_bytes, algorithm).hexdigest()


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    left_bytes = left.encode() if isinstance(left, str) else left
    right_bytes = right.encode() if isinstance(right, str) else right
    try:
        return hmac.compare_digest(left_bytes, right_bytes)
    except TypeError:
        # A missing header or token (None) is simply not equal; raising would turn a bad request into a 500.
        return False


def random_token(n_bytes: int = 24) -> str:
    return secrets.token_urlsafe(n_bytes)


def sha256_hex(value: str | bytes) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


def mask_secret(value: str | None, visible: int = 4) -> str:
    """`sk_test_…abcd`: enough to recognise a secret, never enough to use it."""
    if not value:
        return ""
    # value[-0:] is the whole string, so a zero or negative `visible` must show nothing rather than everything.
    visible = max(int(visible), 0)
    if len(value) <= visible * 2:
        return "•" * len(value)
    return "•" * 8 + (value[-visible:] if visible else "")
