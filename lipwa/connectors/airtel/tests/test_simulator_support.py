"""Helpers shared by the simulator tests: a URL conf, a callback receiver, and request builders and signing
written from PROVIDERS.md §3.3, not from the simulator's or the client's code, so that neither can make its own
tests pass with a shared mistake.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/airtel/", include("lipwa.connectors.airtel.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/airtel"
UG = {"HTTP_X_COUNTRY": "UG", "HTTP_X_CURRENCY": "UGX"}


def token(client) -> str:
    response = client.post(f"{SIM}/auth/oauth2/token", data=json.dumps(
        {"client_id": "sim_key", "client_secret": "sim_secret", "grant_type": "client_credentials"}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def public_key(client, access_token: str):
    response = client.get(f"{SIM}/v1/rsa/encryption-keys", HTTP_AUTHORIZATION=f"Bearer {access_token}", **UG)
    assert response.status_code == 200, response.content
    return load_der_public_key(base64.b64decode(response.json()["data"]["key"]))


def sign(body: bytes, key, aes_key: bytes | None = None, iv: bytes | None = None) -> dict[str, str]:
    """x-signature / x-key exactly as §3.3 describes them, as Django test-client header kwargs."""
    aes_key, iv = aes_key or os.urandom(32), iv or os.urandom(16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(body) + padder.finalize()) + encryptor.finalize()
    material = f"{base64.b64encode(aes_key).decode()}:{base64.b64encode(iv).decode()}".encode()
    return {"HTTP_X_SIGNATURE": base64.b64encode(ciphertext).decode(),
            "HTTP_X_KEY": base64.b64encode(key.encrypt(material, asymmetric_padding.PKCS1v15())).decode()}


def encrypt_pin(pin: str, key) -> str:
    return base64.b64encode(key.encrypt(pin.encode(), asymmetric_padding.PKCS1v15())).decode()


def collection_body(msisdn: str = "752123000", transaction_id: str = "txn-1", amount: object = 1000,
                    country: str = "UG", currency: str = "UGX") -> dict:
    return {"reference": "Testing transaction",
            "subscriber": {"country": country, "currency": currency, "msisdn": msisdn},
            "transaction": {"amount": amount, "country": country, "currency": currency, "id": transaction_id}}


def compact(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def post(client, path: str, body: dict | bytes, access_token: str | None, *, key=None, callback_url: str = "",
         headers: dict | None = None):
    raw = body if isinstance(body, bytes) else compact(body)
    extra = dict(UG if headers is None else headers)
    if access_token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {access_token}"
    if key is not None:
        extra.update(sign(raw, key))
    if callback_url:
        extra["HTTP_X_CALLBACK_URL"] = callback_url
    return client.post(f"{SIM}{path}", data=raw, content_type="application/json", **extra)


def get(client, path: str, access_token: str | None, headers: dict | None = None):
    extra = dict(UG if headers is None else headers)
    if access_token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {access_token}"
    return client.get(f"{SIM}{path}", **extra)


def assert_status(response, http_status: int, response_code: str | None, success: bool) -> dict:
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"]["success"] is success, body
    assert body["status"].get("response_code") == response_code, body
    return body


class Receiver(CallbackReceiver):
    """A merchant callback endpoint on 127.0.0.1: records each POST and answers 200."""

    path = "/hooks/airtel"
