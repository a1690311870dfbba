"""Airtel's message signing and PIN encryption (PROVIDERS.md §3.3), and the callback hash (§3.6). Pure functions.

Message signing, for the v2 endpoints:
  1. a random AES-256 key (32 bytes) and IV (16 bytes);
  2. `x-signature` = base64(AES-256-CBC with PKCS#7 padding over the exact request body bytes);
  3. `x-key` = base64(RSA PKCS#1 v1.5 encryption, with Airtel's public key, of ASCII "<base64 key>:<base64 iv>");
  4. the body is sent byte for byte as it was encrypted (compact JSON).
The disbursement PIN is base64(RSA PKCS#1 v1.5 encryption of the PIN's ASCII digits).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import load_der_public_key

AES_KEY_BYTES = 32
AES_IV_BYTES = 16


class UnusableKey(ValueError):
    """Airtel's public key cannot be used (not base64, not DER, not RSA)."""


@dataclass(frozen=True, slots=True)
class Signature:
    """The two headers of a signed request; neither reveals the body to anyone without Airtel's private key."""

    x_signature: str
    x_key: str

    def headers(self) -> dict[str, str]:
        return {"x-signature": self.x_signature, "x-key": self.x_key}


def compact_json(body: dict) -> bytes:
    """The bytes that are signed and sent: compact JSON, in the order the body was built (§3.3 step 4)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def load_public_key(key_b64: str) -> RSAPublicKey:
    """Airtel's key: base64 of a DER SubjectPublicKeyInfo (§3.3). PEM armour, if a proxy adds it, is stripped."""
    text = "".join(line for line in key_b64.strip().splitlines() if not line.startswith("-----"))
    try:
        key = load_der_public_key(base64.b64decode("".join(text.split()), validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise UnusableKey(f"Airtel's encryption key is not a base64 DER public key ({type(exc).__name__})") from None
    if not isinstance(key, RSAPublicKey):
        raise UnusableKey(f"Airtel's encryption key is a {type(key).__name__}, not an RSA key")
    return key


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """AES-256-CBC with PKCS#7 padding (§3.3 step 2)."""
    if len(key) != AES_KEY_BYTES or len(iv) != AES_IV_BYTES:
        raise ValueError("AES-256-CBC needs a 32-byte key and a 16-byte IV")
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def rsa_encrypt_b64(public_key: RSAPublicKey, plaintext: bytes) -> str:
    """RSA PKCS#1 v1.5 encryption, base64 (§3.3 steps 3 and the PIN). Randomised: never the same twice."""
    return base64.b64encode(public_key.encrypt(plaintext, asymmetric_padding.PKCS1v15())).decode("ascii")


def sign_body(body: bytes, public_key: RSAPublicKey, *, key: bytes | None = None,
              iv: bytes | None = None) -> Signature:
    """`x-signature` and `x-key` for `body`; `key` and `iv` are fresh random values unless a test fixes them."""
    key = os.urandom(AES_KEY_BYTES) if key is None else key
    iv = os.urandom(AES_IV_BYTES) if iv is None else iv
    signature = base64.b64encode(aes_cbc_encrypt(key, iv, body)).decode("ascii")
    key_material = f"{base64.b64encode(key).decode()}:{base64.b64encode(iv).decode()}".encode("ascii")
    return Signature(x_signature=signature, x_key=rsa_encrypt_b64(public_key, key_material))


def encrypt_pin(pin: str, public_key: RSAPublicKey) -> str:
    """The disbursement `pin` field (§3.3)."""
    return rsa_encrypt_b64(public_key, pin.encode("ascii"))


# -- the callback hash (§3.6) --------------------------------------------------------------------------------


def callback_hash(secret: str, message: bytes) -> str:
    """base64(HMAC-SHA256(secret, message)), the `hash` of an authenticated callback."""
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode("ascii")


def hash_candidates(raw_transaction: bytes | None, transaction: dict) -> list[bytes]:
    """The byte strings Airtel may have hashed, most faithful first (§3.6).

    Airtel hashes "compact JSON of the transaction object". The exact bytes it serialised are best read from
    the raw body (`raw_transaction`, the value's own text), which keeps its key order and number spelling.
    When Airtel pretty-prints the body, the raw text has spaces the hashed form did not, so the object is also
    re-serialised compactly as the public SDK does (`json.dumps(transaction, separators=(",", ":"))`), with
    non-ASCII escaped (the SDK's default) and unescaped.
    """
    candidates = [raw_transaction] if raw_transaction else []
    for ensure_ascii in (True, False):
        text = json.dumps(transaction, separators=(",", ":"), ensure_ascii=ensure_ascii).encode()
        if text not in candidates:
            candidates.append(text)
    return candidates


def hash_matches(secret: str, presented: str, candidates: list[bytes]) -> bool:
    """Compare in constant time against every candidate (never stop at the first mismatch)."""
    presented_bytes = presented.strip().encode()
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(callback_hash(secret, candidate).encode(), presented_bytes)
    return matched
