"""Bad input to /v1/payments gets a precise 4xx in the documented format, and changes nothing."""

from __future__ import annotations

import json

import pytest

from lipwa.payments.models import PaymentIntent
from lipwa.payments.tests.factories import unreachable_mpesa_account

pytestmark = pytest.mark.django_db

VALID = {"amount": 10000, "currency": "KES", "method": "mobile_money", "provider": "mpesa",
         "phone": "0712345678"}


@pytest.fixture
def post(client, test_key, merchant):
    unreachable_mpesa_account(merchant)

    def send(body, *, key=test_key, content_type="application/json", raw=None, headers=None):
        data = raw if raw is not None else json.dumps(body)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        extra.update(headers or {})
        return client.post("/v1/payments", data=data, content_type=content_type, **extra)

    return send


def assert_error(response, status: int, type_: str, code: str | None = None, param: str | None = None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"type", "code", "message", "param", "request_id"}
    assert error["type"] == type_
    assert error["request_id"] and error["request_id"].startswith("req_")
    assert error["message"]
    if code:
        assert error["code"] == code, error
    if param:
        assert error["param"] == param, error
    assert PaymentIntent.objects.count() == 0
    return error


@pytest.mark.parametrize("body, param, code", [
    ({**VALID, "amount": -5}, "amount", "amount_too_small"),
    ({**VALID, "amount": 0}, "amount", "amount_too_small"),
    ({**VALID, "amount": 10**15}, "amount", "amount_too_large"),
    ({**VALID, "amount": 10.5}, "amount", "parameter_invalid"),
    ({**VALID, "amount": "100"}, "amount", "parameter_invalid"),
    ({**VALID, "amount": True}, "amount", "parameter_invalid"),
    ({**VALID, "currency": "kes"}, "currency", None),
    ({**VALID, "currency": "XYZ"}, "currency", "currency_not_supported"),
    ({**VALID, "currency": "UGX", "amount": 1000}, "currency", "currency_not_supported"),
    ({**VALID, "method": "crypto"}, "method", "parameter_invalid"),
    ({**VALID, "provider": "venmo"}, "provider", "unknown_provider"),
    ({**VALID, "phone": "not-a-phone"}, "phone", "invalid_phone"),
    ({**VALID, "phone": "+14155552671"}, "phone", "country_not_supported"),
    ({k: v for k, v in VALID.items() if k != "phone"}, "phone", None),
    ({k: v for k, v in VALID.items() if k != "amount"}, "amount", "parameter_invalid"),
    ({**VALID, "amount": 10050}, "amount", "amount_precision"),
    ({**VALID, "amount": 25_000_100}, "amount", "amount_too_large"),
    ({**VALID, "surprise": 1}, "surprise", "parameter_invalid"),
    ({**VALID, "expires_in": 5}, "expires_in", None),
    ({**VALID, "metadata": {"a": 1}}, "metadata.a", "parameter_invalid"),
])
def test_invalid_parameters_are_refused_naming_the_parameter(post, body, param, code):
    assert_error(post(body), 400, "invalid_request_error", code, param)


def test_malformed_json(post):
    error = assert_error(post(None, raw=b'{"amount": 100,'), 400, "invalid_request_error")
    assert "JSON" in error["message"] or "json" in error["code"]


def test_body_that_is_not_an_object(post):
    assert_error(post(None, raw=b"[1, 2, 3]"), 400, "invalid_request_error")


def test_missing_key(post):
    assert_error(post(VALID, key=None), 401, "authentication_error", "missing_api_key")


def test_unknown_key(post):
    assert_error(post(VALID, key="sk_test_" + "x" * 32), 401, "authentication_error", "invalid_api_key")


def test_malformed_key(post):
    assert_error(post(VALID, key="hunter2"), 401, "authentication_error")


def test_revoked_key(post, merchant):
    from lipwa.merchants.services import api_key_create, api_key_revoke

    key, raw = api_key_create(merchant=merchant, mode="test")
    api_key_revoke(key_id=key.id)
    assert_error(post(VALID, key=raw), 401, "authentication_error", "api_key_revoked")


def test_live_key_cannot_reach_a_simulator_account(post, merchant):
    from lipwa.merchants.services import api_key_create

    _, raw = api_key_create(merchant=merchant, mode="live")
    assert_error(post(VALID, key=raw), 400, "invalid_request_error", "no_connector_account", "provider")


def test_oversized_body(post, settings):
    settings.LIPWA_MAX_BODY_BYTES = 1024
    body = {**VALID, "description": "x" * 2000}
    assert_error(post(body), 413, "invalid_request_error", "body_too_large")


def test_unknown_payment_is_404(client, test_key):
    response = client.get("/v1/payments/pay_nope", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert_error(response, 404, "not_found")


def test_unknown_path_is_json_404(client):
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"


@pytest.mark.parametrize("query, param", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("status=paid", "status"),
    ("created[gte]=yesterday", "created[gte]"), ("starting_after=pay_missing", "starting_after"),
    ("colour=red", "colour"),
])
def test_list_filters_are_validated(client, test_key, query, param):
    response = client.get(f"/v1/payments?{query}", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code in (400, 404), response.content
    assert response.json()["error"]["param"] == param


def test_other_merchants_payments_are_invisible(client, merchant, test_key):
    from lipwa.merchants.services import api_key_create, merchant_create
    from lipwa.payments.tests.factories import payment_with_attempt

    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    other = merchant_create(name="Other")
    _, other_key = api_key_create(merchant=other, mode="test")
    response = client.get(f"/v1/payments/{payment.id}", HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert response.status_code == 404
