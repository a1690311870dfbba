"""Helpers shared by the simulator tests: a URL conf, a local callback receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on
the rest of the project being importable. Everything here is written from PROVIDERS.md §4, not from the
simulator's own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import json

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/azampay/", include("lipwa.connectors.azampay.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/azampay"
AUTH, CHECKOUT, DISBURSEMENT = f"{SIM}/authenticator", f"{SIM}/checkout", f"{SIM}/disbursement"
TOKEN = f"{AUTH}/AppRegistration/GenerateToken"
MNO = f"{CHECKOUT}/azampay/mno/checkout"
BANK = f"{CHECKOUT}/azampay/bank/checkout"
PARTNERS = f"{CHECKOUT}/api/v1/Partner/GetPaymentPartners"
DISBURSE = f"{DISBURSEMENT}/api/v1/azampay/disburse"
STATUS = f"{DISBURSEMENT}/api/v1/azampay/transactionstatus"
LOOKUP = f"{DISBURSEMENT}/api/v1/azampay/namelookup"
PHONE = "255754123456"
API_KEY = "sim_api_key"


def token(client) -> str:
    response = client.post(TOKEN, data=json.dumps({"appName": "demo", "clientId": "sim_key",
                                                   "clientSecret": "sim_secret"}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["accessToken"]


def headers(access_token: str | None, api_key: str | None = API_KEY) -> dict[str, str]:
    values = {}
    if access_token:
        values["HTTP_AUTHORIZATION"] = f"Bearer {access_token}"
    if api_key:
        values["HTTP_X_API_KEY"] = api_key
    return values


def post(client, url: str, body, access_token: str | None, api_key: str | None = API_KEY):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers(access_token, api_key))


def mno_body(phone: str = PHONE, callback_url: str = "http://127.0.0.1:9/hooks/cb", **overrides) -> dict:
    """A valid MNO checkout body (4.3), with the tolerated callbackUrl."""
    body = {"accountNumber": phone, "amount": "1000", "currency": "TZS", "externalId": f"order-{phone}",
            "provider": "Mpesa", "additionalProperties": {"order": "1"}, "callbackUrl": callback_url}
    body.update(overrides)
    return body


def bank_body(account: str = "0150123456789", callback_url: str = "http://127.0.0.1:9/hooks/cb", **overrides) -> dict:
    body = {"amount": "1000", "currencyCode": "TZS", "merchantAccountNumber": account,
            "merchantMobileNumber": PHONE, "merchantName": None, "otp": "123456", "provider": "CRDB",
            "referenceId": f"bank-{account}", "additionalProperties": {}, "callbackUrl": callback_url}
    body.update(overrides)
    return body


def party(account: str, bank: str = "Tigo") -> dict:
    return {"countryCode": "TZ", "fullName": "Neema Mushi", "bankName": bank, "accountNumber": account,
            "currency": "TZS"}


def disburse_body(account: str = "255714123456", reference: str = "payout-1", **overrides) -> dict:
    body = {"source": party("255700000000", "Azampesa"), "destination": party(account),
            "transferDetails": {"type": "INTERNAL", "amount": "5000", "date": "2024-06-01T12:00:00Z"},
            "externalReferenceId": reference, "remarks": "test"}
    body.update(overrides)
    return body


def status(client, access_token: str, reference: str, bank_name: str = "Mpesa", **extra):
    params = {"pgReferenceId": reference, "bankName": bank_name, **extra}
    return client.get(STATUS, params, **headers(access_token))


def assert_envelope(response, status_code: int, message: str) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body == {"data": None, "message": message, "success": False, "statusCode": status_code}
    return body


def assert_problem(response, *fields: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"type", "title", "status", "traceId", "errors"}
    assert (body["status"], body["title"]) == (400, "One or more validation errors occurred.")
    assert sorted(body["errors"]) == sorted(fields)
    return body


class Receiver(CallbackReceiver):
    """A merchant callback endpoint on 127.0.0.1 that answers like an AzamPay merchant."""

    path = "/hooks/azampay"
    answer = b'{"success": true}'
    answer_content_type = "application/json"
