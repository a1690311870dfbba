"""A scripted stand-in for Airtel on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting, routing) is `lipwa.connectors.testing.stub`; this module adds
Airtel's paths and default answers, and serves its own RSA key at /v1/rsa/encryption-keys so that tests can
decrypt what the client signed and encrypted.
"""

from __future__ import annotations

import base64
from functools import cache, partial
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lipwa.connectors.testing.stub import (
    Received,
    Reply,
    Responder,
    ScriptedStub,
    closed_port_url,
    load_fixture,
    load_fixture_bytes,
)

__all__ = ["COLLECT_V1_PATH", "COLLECT_V2_PATH", "DISBURSEMENT_ENQUIRY_PATHS", "DISBURSE_PATH", "ENQUIRY_PATHS",
           "FIXTURES", "KEYS_PATH", "REFUND_V1_PATH", "REFUND_V2_PATH", "TOKEN_PATH", "USER_PATHS", "AirtelStub",
           "Received", "Reply", "Responder", "aes_decrypt", "closed_port_url", "echo_id", "fixture",
           "fixture_bytes", "public_key_b64", "rsa_decrypt", "stub_private_key", "unsign"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

TOKEN_PATH = "/auth/oauth2/token"
KEYS_PATH = "/v1/rsa/encryption-keys"
COLLECT_V1_PATH = "/merchant/v1/payments/"
COLLECT_V2_PATH = "/merchant/v2/payments/"
ENQUIRY_PATHS = "/standard/v1/payments/*"
REFUND_V1_PATH = "/standard/v1/payments/refund"
REFUND_V2_PATH = "/standard/v2/payments/refund"
DISBURSE_PATH = "/standard/v2/disbursements/"
DISBURSEMENT_ENQUIRY_PATHS = "/standard/v1/disbursements/*"
USER_PATHS = "/standard/v1/users/*"


@cache
def stub_private_key() -> RSAPrivateKey:
    """One key pair for the whole test run (generating one takes tens of milliseconds)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_b64(key: RSAPrivateKey | None = None) -> str:
    der = (key or stub_private_key()).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def rsa_decrypt(value_b64: str, key: RSAPrivateKey | None = None) -> bytes:
    return (key or stub_private_key()).decrypt(base64.b64decode(value_b64), asymmetric_padding.PKCS1v15())


def aes_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()


def unsign(headers: dict[str, str], key: RSAPrivateKey | None = None) -> bytes:
    """What x-signature encrypts, recovered with the private key as Airtel would (PROVIDERS.md §3.3)."""
    key_b64, _, iv_b64 = rsa_decrypt(headers["x-key"], key).decode("ascii").partition(":")
    return aes_decrypt(base64.b64decode(key_b64), base64.b64decode(iv_b64), base64.b64decode(headers["x-signature"]))


def echo_id(name: str) -> Responder:
    """Answer with fixture `name`, its data.transaction.id replaced by the id in the request's path."""
    def respond(request: Received) -> Reply:
        body = fixture(name)
        if isinstance(body.get("data", {}).get("transaction"), dict):
            body["data"]["transaction"]["id"] = request.path.rsplit("/", 1)[-1]
        return Reply(200, body)
    return respond


class AirtelStub(ScriptedStub):
    """Scripted replies per path; by default a token, a key, an accepted push and a succeeded enquiry."""

    not_found = Reply(404, {"status": {"code": "404", "message": "Resource not found", "success": False}})

    def __init__(self) -> None:
        super().__init__({
            TOKEN_PATH: self._issue_token,
            KEYS_PATH: self._serve_key,
            COLLECT_V1_PATH: lambda _: Reply(200, fixture("collection__accepted")),
            COLLECT_V2_PATH: lambda _: Reply(200, fixture("collection__accepted")),
            ENQUIRY_PATHS: echo_id("enquiry__succeeded"),
            REFUND_V1_PATH: lambda _: Reply(200, fixture("refund__accepted")),
            REFUND_V2_PATH: lambda _: Reply(200, fixture("refund__accepted")),
            DISBURSE_PATH: lambda _: Reply(200, fixture("disbursement__succeeded")),
            DISBURSEMENT_ENQUIRY_PATHS: echo_id("disbursement__succeeded"),
            USER_PATHS: lambda _: Reply(200, fixture("user__found")),
        })
        self.tokens_issued = 0
        self.keys_served = 0
        self.token_expires_in: object = "180"
        self.token_delay_seconds = 0.0
        self.key_valid_upto = "2099-12-31T23:59:59Z"
        self.private_key = stub_private_key()

    def _issue_token(self, _: Received) -> Reply:
        number = self.next_count("tokens_issued")
        return Reply(200, {"access_token": f"stub-token-{number}", "expires_in": self.token_expires_in,
                           "token_type": "bearer"}, delay_seconds=self.token_delay_seconds)

    def _serve_key(self, _: Received) -> Reply:
        self.next_count("keys_served")
        return Reply(200, {"data": {"key_id": "stub-key", "key": public_key_b64(self.private_key),
                                    "valid_upto": self.key_valid_upto},
                           "status": {"code": "200", "message": "SUCCESS", "response_code": "DP02010001001",
                                      "success": True}})
