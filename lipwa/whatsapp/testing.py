"""A stand-in for WhatsApp's client side of Flows, for tests: it encrypts requests to a merchant's public key
and signs them as Meta would, and opens our encrypted answers. Written from PROVIDERS.md §A on its own (it does
not import lipwa.whatsapp.crypto), so the endpoint and the harness cannot share a bug."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@dataclass
class SealedRequest:
    body: bytes
    headers: dict[str, str]
    aes_key: bytes
    iv: bytes

    def open_answer(self, text: str) -> dict:
        """Decrypt the endpoint's base64 answer with the inverted IV."""
        inverted = bytes(255 - byte for byte in self.iv)
        return json.loads(AESGCM(self.aes_key).decrypt(inverted, base64.b64decode(text), None))


class MetaHarness:
    def __init__(self, public_key_pem: str, app_secret: str) -> None:
        self.public_key = serialization.load_pem_public_key(public_key_pem.encode())
        self.app_secret = app_secret

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    def seal(self, payload: dict, *, aes_key: bytes | None = None, iv: bytes | None = None) -> SealedRequest:
        aes_key = aes_key or os.urandom(16)
        iv = iv or os.urandom(16)
        wrapped = self.public_key.encrypt(aes_key, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()),
                                                                algorithm=hashes.SHA256(), label=None))
        data = AESGCM(aes_key).encrypt(iv, json.dumps(payload).encode(), None)
        body = json.dumps({"encrypted_flow_data": base64.b64encode(data).decode(),
                           "encrypted_aes_key": base64.b64encode(wrapped).decode(),
                           "initial_vector": base64.b64encode(iv).decode()}).encode()
        return SealedRequest(body=body, headers={"X-Hub-Signature-256": self.sign(body),
                                                 "Content-Type": "application/json"}, aes_key=aes_key, iv=iv)
