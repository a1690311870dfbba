"""Secrets at rest (AES-GCM), HMAC signing and comparison, random tokens and key hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"v1"


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


def generate_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def encrypt_json(value: dict, key_b64: str, associated_data: bytes = b"") -> str:
    """Encrypt a JSON object; the associated data binds the ciphertext to its row (it cannot be moved)."""
    nonce = os.urandom(12)
    plaintext = json.dumps(value, sort_keys=True).encode()
    sealed = AESGCM(_key_bytes(key_b64)).encrypt(nonce, plaintext, _VERSION + associated_data)
    return (_VERSION + b"." + base64.b64encode(nonce + sealed)).decode()


def decrypt_json(token: str, key_b64: str, associated_data: bytes = b"") -> dict:
    # A malformed key is a configuration fault, not tampered data: let its ValueError through unchanged.
    aead = AESGCM(_key_bytes(key_b64))
    try:
        version, _, body = token.encode().partition(b".")
        raw = base64.b64decode(body)
        plaintext = aead.decrypt(raw[:12], raw[12:], version + associated_data)
    except Exception as exc:  # any failure means the ciphertext or key is wrong; say nothing more.
        raise DecryptionError("credentials could not be decrypted (wrong key or tampered data)") from exc
    return json.loads(plaintext)


def encrypt_bytes(value: bytes, key_b64: str, associated_data: bytes = b"") -> bytes:
    """AES-GCM for opaque bytes (stored API responses may carry secrets shown once)."""
    nonce = os.urandom(12)
    return _VERSION + b"." + base64.b64encode(nonce + AESGCM(_key_bytes(key_b64)).encrypt(
        nonce, value, _VERSION + associated_data))


def decrypt_bytes(token: bytes, key_b64: str, associated_data: bytes = b"") -> bytes:
    key = _key_bytes(key_b64)
    try:
        version, _, body = bytes(token).partition(b".")
        raw = base64.b64decode(body)
        return AESGCM(key).decrypt(raw[:12], raw[12:], version + associated_data)
    except Exception as exc:
        raise DecryptionError("stored data could not be decrypted (wrong key or tampered data)") from exc


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
