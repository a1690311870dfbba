"""The WhatsApp Flows data-exchange envelope (PROVIDERS.md §A).

Request: {"encrypted_flow_data", "encrypted_aes_key", "initial_vector"}, all base64. The AES key (16 bytes) is
RSA-OAEP (SHA-256, MGF1 SHA-256) encrypted to our public key; the flow data is AES-128-GCM ciphertext ‖ 16-byte
tag under that key and the 16-byte IV, no associated data. Response: base64 of AES-GCM of the JSON answer under
the same key and the IV with every byte inverted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RSA_KEY_BITS = 2048
AES_KEY_BYTES = 16
IV_BYTES = 16
FIELDS = ("encrypted_flow_data", "encrypted_aes_key", "initial_vector")


class MalformedRequest(ValueError):
    """The body is not a data-exchange envelope at all (answered 400)."""


class UndecryptableRequest(ValueError):
    """The envelope does not open with our key (answered 421, so the client re-fetches the public key)."""


@dataclass(frozen=True)
class Opened:
    payload: dict
    aes_key: bytes
    iv: bytes


def generate_key_pair() -> tuple[str, str]:
    """(private key PEM, public key PEM) of a new RSA key pair."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def signature_valid(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the Meta app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def _b64(envelope: dict, field: str) -> bytes:
    value = envelope.get(field)
    if not isinstance(value, str) or not value:
        raise MalformedRequest(f"{field} is missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedRequest(f"{field} is not base64") from None


def open_request(raw_body: bytes, private_key_pem: str) -> Opened:
    try:
        envelope = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedRequest("the body is not JSON") from None
    if not isinstance(envelope, dict):
        raise MalformedRequest("the body is not a JSON object")
    flow_data, wrapped_key, iv = (_b64(envelope, field) for field in FIELDS)
    if len(iv) != IV_BYTES:
        raise MalformedRequest(f"initial_vector must be {IV_BYTES} bytes")
    private_key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    try:
        aes_key = private_key.decrypt(wrapped_key, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                                algorithm=hashes.SHA256(), label=None))
    except ValueError:
        raise UndecryptableRequest("encrypted_aes_key does not open with our private key") from None
    if len(aes_key) != AES_KEY_BYTES:
        raise UndecryptableRequest(f"the AES key is {len(aes_key)} bytes, not {AES_KEY_BYTES}")
    try:
        plaintext = AESGCM(aes_key).decrypt(iv, flow_data, None)
    except InvalidTag:
        raise UndecryptableRequest("encrypted_flow_data fails its GCM tag") from None
    try:
        payload = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedRequest("the decrypted flow data is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedRequest("the decrypted flow data is not a JSON object")
    return Opened(payload=payload, aes_key=aes_key, iv=iv)


def flip_iv(iv: bytes) -> bytes:
    return bytes(byte ^ 0xFF for byte in iv)


def seal_response(answer: dict, opened: Opened) -> str:
    plaintext = json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(AESGCM(opened.aes_key).encrypt(flip_iv(opened.iv), plaintext, None)).decode()
