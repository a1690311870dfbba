"""Helpers shared by the simulator tests: a URL conf, a local callback receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend
on the rest of the project being importable. Everything here is written from PROVIDERS.md, not from the
simulator's own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import base64
import json

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/mpesa/", include("lipwa.connectors.mpesa.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/mpesa"
SHORTCODE = "174379"
PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
TIMESTAMP = "20210628092408"
PHONE = "254708374149"
BASIC = "Basic " + base64.b64encode(b"sim_key:sim_secret").decode()


def password(shortcode: str = SHORTCODE, passkey: str = PASSKEY, timestamp: str = TIMESTAMP) -> str:
    return base64.b64encode((shortcode + passkey + timestamp).encode()).decode()


def push_body(phone: str = PHONE, callback_url: str = "http://127.0.0.1:9/hooks/cb", **overrides) -> dict:
    """A valid STK push body, numbers as JSON numbers (as most clients send them)."""
    body = {
        "BusinessShortCode": int(SHORTCODE),
        "Password": password(),
        "Timestamp": TIMESTAMP,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": int(phone),
        "PartyB": int(SHORTCODE),
        "PhoneNumber": int(phone),
        "CallBackURL": callback_url,
        "AccountReference": "INV-001",
        "TransactionDesc": "Order 1",
    }
    body.update(overrides)
    return body


def query_body(checkout_request_id: str, **overrides) -> dict:
    body = {"BusinessShortCode": SHORTCODE, "Password": password(), "Timestamp": TIMESTAMP,
            "CheckoutRequestID": checkout_request_id}
    body.update(overrides)
    return body


def token(client) -> str:
    response = client.get(f"{SIM}/oauth/v1/generate", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=BASIC)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def post(client, path: str, body, access_token: str | None, content_type: str = "application/json"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {access_token}"} if access_token else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"{SIM}{path}", data=data, content_type=content_type, **headers)


def push(client, access_token: str, body: dict):
    return post(client, "/mpesa/stkpush/v1/processrequest", body, access_token)


def query(client, access_token: str, body: dict):
    return post(client, "/mpesa/stkpushquery/v1/query", body, access_token)


def assert_envelope(response, status: int, error_code: str, error_message: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"requestId", "errorCode", "errorMessage"}, body
    assert body["errorCode"] == error_code
    assert body["errorMessage"] == error_message
    assert isinstance(body["requestId"], str) and body["requestId"]
    return body


class Receiver(CallbackReceiver):
    """A merchant callback endpoint on 127.0.0.1 that answers like a Daraja merchant."""

    path = "/hooks/stk"
    answer = b'{"ResultCode": 0, "ResultDesc": "Accepted"}'
    answer_content_type = "application/json"
