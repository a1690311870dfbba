"""Helpers shared by the simulator tests: a URL conf, a local callback receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on the
rest of the project being importable. Everything here is written from PROVIDERS.md §2, not from the simulator's
own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import base64
import json
import uuid

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/mtn_momo/", include("lipwa.connectors.mtn_momo.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/mtn_momo"
SUBSCRIPTION_KEY = "sim_subscription_key"
BASIC = "Basic " + base64.b64encode(b"sim_key:sim_secret").decode()
PHONE = "256772123456"


def token(client, product: str = "collection", basic: str = BASIC) -> str:
    response = client.post(f"{SIM}/{product}/token/", HTTP_AUTHORIZATION=basic,
                           HTTP_OCP_APIM_SUBSCRIPTION_KEY=SUBSCRIPTION_KEY)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def headers(access_token: str | None, environment: str | None = "mtnuganda", reference: str | None = None,
            callback_url: str | None = None, subscription_key: str | None = SUBSCRIPTION_KEY) -> dict[str, str]:
    result = {}
    if access_token:
        result["HTTP_AUTHORIZATION"] = f"Bearer {access_token}"
    if environment:
        result["HTTP_X_TARGET_ENVIRONMENT"] = environment
    if reference:
        result["HTTP_X_REFERENCE_ID"] = reference
    if callback_url is not None:
        result["HTTP_X_CALLBACK_URL"] = callback_url
    if subscription_key:
        result["HTTP_OCP_APIM_SUBSCRIPTION_KEY"] = subscription_key
    return result


def rtp_body(phone: str = PHONE, amount: str = "1000", currency: str = "UGX", **overrides) -> dict:
    body = {"amount": amount, "currency": currency, "externalId": "order-1",
            "payer": {"partyIdType": "MSISDN", "partyId": phone}, "payerMessage": "Pay order 1",
            "payeeNote": "order 1"}
    body.update(overrides)
    return body


def transfer_body(phone: str = PHONE, amount: str = "5000", currency: str = "UGX") -> dict:
    return {"amount": amount, "currency": currency, "externalId": "payout-1",
            "payee": {"partyIdType": "MSISDN", "partyId": phone}, "payerMessage": "Payout", "payeeNote": "Payout"}


def new_reference() -> str:
    return str(uuid.uuid4())


def post(client, path: str, body, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"{SIM}{path}", data=data, content_type="application/json", **extra)


def request_to_pay(client, access_token: str, body: dict | None = None, *, reference: str | None = None,
                   environment: str = "mtnuganda", callback_url: str | None = None):
    reference = reference or new_reference()
    response = post(client, "/collection/v1_0/requesttopay", body or rtp_body(),
                    **headers(access_token, environment, reference, callback_url))
    return response, reference


def status(client, access_token: str, reference: str, environment: str = "mtnuganda", kind: str = "collection",
           resource: str = "requesttopay"):
    return client.get(f"{SIM}/{kind}/v1_0/{resource}/{reference}", **headers(access_token, environment))


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"code", "message"}, body
    assert body["code"] == code and body["message"]
    return body


def assert_gateway_error(response, status_code: int, words: str) -> None:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"statusCode", "message"} and body["statusCode"] == status_code
    assert words in body["message"]


class Receiver(CallbackReceiver):
    """A merchant callback endpoint on 127.0.0.1: records each PUT or POST and answers 200."""

    path = "/hooks/mtn"
    methods_accepted = ("POST", "PUT")
