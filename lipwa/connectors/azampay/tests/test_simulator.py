"""The AzamPay simulator's HTTP contract: token, auth headers, hosts, checkout validation, status, scenarios."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.azampay.simulator import scenarios, state

from .test_simulator_support import (
    AUTH,
    BANK,
    CHECKOUT,
    DISBURSEMENT,
    MNO,
    PARTNERS,
    SIM,
    TOKEN,
    URLCONF,
    assert_envelope,
    assert_problem,
    bank_body,
    headers,
    mno_body,
    post,
    status,
    token,
)

pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    clock.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def access_token(client) -> str:
    return token(client)


def checkout(client, access_token, phone: str, **overrides) -> dict:
    response = post(client, MNO, mno_body(phone=phone, **overrides), access_token)
    assert response.status_code == 200, response.content
    return response.json()


# -- the scenario table (pure) ------------------------------------------------------------------------------


@pytest.mark.parametrize("number, scenario, outcome_status, message, callbacks", [
    ("255754123456", "default", "success", "Transaction successful", 1),
    ("255754123000", "default", "success", "Transaction successful", 1),  # the battery's plain success
    ("255754123001", "001", "failure", "Insufficient balance", 1),
    ("255754123002", "002", "failure", "Transaction cancelled by user", 1),
    ("255754123003", "003", "failure", "Transaction timed out: no response from user", 1),
    ("255754123004", "004", "success", "Transaction successful", 0),
    ("255754123005", "005", "success", "Transaction successful", 3),
    ("255754123007", "007", "success", "Transaction successful", 1),
    ("255754123008", "008", "success", "Transaction successful", 1),
    ("255754123009", "009", "failure", "Invalid PIN entered", 1),
    # PROVIDERS.md 4.10's four-digit suffixes refine only the "any other" row.
    ("255754120000", "0000", "failure", "Insufficient balance", 1),
    ("255754121111", "1111", "pending", "Transaction is being processed", 0),
    ("255754122222", "2222", "success", "Transaction successful", 2),
    ("255754121001", "001", "failure", "Insufficient balance", 1),  # §6 first: …1001 is 001, not …1111
])
def test_scenario_table(number, scenario, outcome_status, message, callbacks):
    outcome = scenarios.outcome_for_account(number)
    assert (outcome.scenario, outcome.status, outcome.message, outcome.callbacks) == (
        scenario, outcome_status, message, callbacks)
    assert outcome.initiate_fails is (scenario == "006")


def test_scenario_flags():
    assert scenarios.outcome_for_account("255754123006").initiate_fails
    assert scenarios.outcome_for_account("255754123007").initiate_hangs
    assert scenarios.outcome_for_account("255754123008").callback_before_response
    assert scenarios.outcome_for_account("0150123456009", "bank").message == "Invalid OTP entered"


@pytest.mark.parametrize("number, outcome_status, message", [
    ("255714123456", "success", "Transaction successful"), ("255714123001", "failure", "Insufficient balance"),
    ("255714123009", "failure", "Transaction declined"), ("255714123002", "success", "Transaction successful"),
])
def test_payout_scenarios(number, outcome_status, message):
    outcome = scenarios.outcome_for_payout(number)
    assert (outcome.status, outcome.message, outcome.callbacks) == (outcome_status, message, 0)


def test_names_are_stable_and_404_finds_nobody():
    assert scenarios.name_for("255714123456") == scenarios.name_for("255714123456") in scenarios.NAMES
    assert scenarios.name_for("255714123404") is None


# -- token --------------------------------------------------------------------------------------------------


def test_token_has_azampay_s_shape_and_lives_24_hours(client):
    clock.freeze(datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    response = client.post(TOKEN, data=json.dumps({"appName": "any", "clientId": "sim_key",
                                                   "clientSecret": "sim_secret"}), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "message", "success", "statusCode"}
    assert (body["success"], body["statusCode"], body["message"]) == (True, 200, "Token generated successfully")
    assert body["data"]["expire"] == "2024-06-02T12:00:00Z"
    assert body["data"]["accessToken"].startswith("eyJ")


@pytest.mark.parametrize("client_id, secret", [("sim_key", "wrong"), ("someone", "sim_secret"), ("sím", "ßecret")])
def test_token_refuses_wrong_credentials_with_423(client, client_id, secret):
    response = client.post(TOKEN, data=json.dumps({"appName": "demo", "clientId": client_id, "clientSecret": secret}),
                           content_type="application/json")
    assert_envelope(response, 423, "Provided detail is not valid for this app or secret key has been expired")


def test_token_lists_every_missing_field(client):
    response = client.post(TOKEN, data=json.dumps({"clientId": 5}), content_type="application/json")
    body = assert_problem(response, "appName", "clientId", "clientSecret")
    assert body["errors"]["clientId"] == ["The clientId field must be a string."]
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-00", body["traceId"])


@pytest.mark.parametrize("raw", [b"{not json", b"[1]", b"", b"\xff\xfe", b"[" * 100_000, b"null"])
def test_unreadable_bodies_are_a_400_never_a_500(client, raw):
    access_token = token(client)
    for url in (TOKEN, MNO, BANK, f"{DISBURSEMENT}/api/v1/azampay/disburse",
                f"{DISBURSEMENT}/api/v1/azampay/namelookup"):
        response = client.post(url, data=raw, content_type="application/json", **headers(access_token))
        if raw == b"" and url == TOKEN:
            assert response.status_code == 415  # an empty body carries no content type at all
            continue
        assert_problem(response, "$")


def test_token_wants_post_and_json(client):
    assert client.get(TOKEN).status_code == 405
    assert client.post(TOKEN, data="appName=x", content_type="application/x-www-form-urlencoded").status_code == 415


# -- auth and hosts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bearer", [None, "not-a-token"])
def test_api_calls_refuse_a_missing_or_unknown_token(client, bearer):
    for url in (MNO, BANK, f"{DISBURSEMENT}/api/v1/azampay/disburse", f"{DISBURSEMENT}/api/v1/azampay/namelookup"):
        assert_envelope(post(client, url, {}, bearer), 401,
                        "Unauthorized: the access token is missing, invalid or expired")


def test_token_expires_after_24_hours_of_lipwa_clock(client, access_token):
    clock.advance(24 * 3600 - 1)
    assert post(client, MNO, mno_body(), access_token).status_code == 200
    clock.advance(1)
    assert post(client, MNO, mno_body(externalId="other"), access_token).status_code == 401


@pytest.mark.parametrize("api_key", [None, "wrong"])
def test_api_calls_need_the_api_key(client, access_token, api_key):
    assert_envelope(post(client, MNO, mno_body(), access_token, api_key=api_key), 403, "Invalid API key")


def test_wrong_method_is_a_bare_405(client, access_token):
    response = client.get(MNO, **headers(access_token))
    assert (response.status_code, response.content) == (405, b"")


@pytest.mark.parametrize("url", [
    f"{CHECKOUT}/AppRegistration/GenerateToken",  # the token lives on the authenticator host only
    f"{AUTH}/azampay/mno/checkout",
    f"{DISBURSEMENT}/azampay/mno/checkout",
    f"{CHECKOUT}/api/v1/azampay/transactionstatus",
    f"{SIM}/AppRegistration/GenerateToken",  # nothing answers at the bare prefix
    f"{SIM}/azampay/mno/checkout",
])
def test_each_host_answers_only_its_own_paths(client, access_token, url):
    response = client.post(url, data="{}", content_type="application/json", **headers(access_token))
    assert (response.status_code, response.content) == (404, b"")


def test_payment_partners_lists_the_five_wallets(client, access_token):
    response = client.get(PARTNERS, **headers(access_token))
    assert response.status_code == 200
    assert [p["partnerName"] for p in response.json()] == ["Airtel", "Tigo", "Halopesa", "Azampesa", "Mpesa"]


# -- MNO checkout -------------------------------------------------------------------------------------------


def test_checkout_accepts_and_answers_azampay_s_shape(client, access_token):
    body = checkout(client, access_token, "255754123456")
    assert set(body) == {"success", "transactionId", "message"}
    assert body["success"] is True
    assert body["message"] == "Request in progress. You will receive a callback shortly"
    assert re.fullmatch(r"[0-9a-f]{32}", body["transactionId"])


@pytest.mark.parametrize("overrides, stored_number, stored_provider, stored_amount", [
    ({"accountNumber": "0754123456"}, "255754123456", "Mpesa", 1000),  # SDKs disagree on the form (4.3)
    ({"amount": 2500}, "255754123456", "Mpesa", 2500),  # a number is tolerated
    ({"amount": "2500.00"}, "255754123456", "Mpesa", 2500),
    ({"provider": "TIGO"}, "255754123456", "Tigo", 1000),
    ({"provider": "halopesa", "checksum": "abc", "additionalProperties": None}, "255754123456", "Halopesa", 1000),
])
def test_checkout_tolerates_what_clients_send(client, access_token, overrides, stored_number, stored_provider,
                                              stored_amount):
    assert post(client, MNO, mno_body(**overrides), access_token).status_code == 200
    [stored] = state.checkouts_snapshot()
    assert (stored.account_number, stored.provider, stored.amount) == (stored_number, stored_provider, stored_amount)


_MISSING = object()


@pytest.mark.parametrize("field, value", [
    ("accountNumber", _MISSING), ("accountNumber", "254712345678"), ("accountNumber", "255222123456"),
    ("accountNumber", 255754123456), ("amount", _MISSING), ("amount", "10.5"), ("amount", "0"), ("amount", "-5"),
    ("amount", "1,000"), ("amount", True), ("amount", "NaN"), ("currency", "KES"), ("currency", _MISSING),
    ("externalId", _MISSING), ("externalId", "x" * 129), ("externalId", "café"), ("provider", "Vodacom"),
    ("provider", _MISSING), ("additionalProperties", [1]),
])
def test_each_invalid_field_is_named_in_the_validation_problem(client, access_token, field, value):
    body = mno_body()
    if value is _MISSING:
        del body[field]
    else:
        body[field] = value
    assert_problem(post(client, MNO, body, access_token), field)
    assert state.checkouts_snapshot() == []


def test_every_bad_field_is_listed_at_once(client, access_token):
    body = mno_body(accountNumber="1", amount="x", provider="MTN")
    assert_problem(post(client, MNO, body, access_token), "accountNumber", "amount", "provider")


def test_below_the_minimum_is_a_refusal_not_a_validation_error(client, access_token):
    response = post(client, MNO, mno_body(amount="99"), access_token)
    assert response.status_code == 200
    assert response.json() == {"success": False, "transactionId": None, "message": "Amount must be at least 100 TZS"}


def test_an_external_id_is_used_once(client, access_token):
    checkout(client, access_token, "255754123456")
    response = post(client, MNO, mno_body(), access_token)
    assert response.json() == {"success": False, "transactionId": None,
                               "message": "Duplicate externalId order-255754123456"}
    assert len(state.checkouts_snapshot()) == 1


def test_scenario_006_answers_503_and_creates_nothing(client, access_token):
    assert_envelope(post(client, MNO, mno_body(phone="255754123006"), access_token), 503,
                    "Service temporarily unavailable")
    assert state.checkouts_snapshot() == []
    assert state.timers_pending() == 0


def test_scenario_007_hangs_after_creating_the_checkout(client, access_token, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 0.3
    started = time.monotonic()
    body = checkout(client, access_token, "255754123007")
    assert time.monotonic() - started >= 0.3
    assert [c.transaction_id for c in state.checkouts_snapshot()] == [body["transactionId"]]


# -- bank checkout ------------------------------------------------------------------------------------------


def test_bank_checkout(client, access_token):
    response = post(client, BANK, bank_body(provider="nmb"), access_token)
    assert response.status_code == 200 and response.json()["success"] is True
    [stored] = state.checkouts_snapshot()
    assert (stored.kind, stored.provider, stored.account_number, stored.msisdn) == (
        "bank", "NMB", "0150123456789", "255754123456")


@pytest.mark.parametrize("field, value", [
    ("merchantAccountNumber", "12ab"), ("merchantAccountNumber", "123"), ("merchantMobileNumber", "12"),
    ("otp", _MISSING), ("otp", "12a"), ("provider", "Stanbic"), ("currencyCode", "USD"), ("referenceId", _MISSING),
    ("amount", _MISSING),
])
def test_bank_checkout_validation(client, access_token, field, value):
    body = bank_body()
    if value is _MISSING:
        del body[field]
    else:
        body[field] = value
    assert_problem(post(client, BANK, body, access_token), field)


# -- status query -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone, data, message", [
    ("255754123456", "success", "Transaction successful"),
    ("255754123001", "failure", "Insufficient balance"),
    ("255754123002", "failure", "Transaction cancelled by user"),
    ("255754123003", "failure", "Transaction timed out: no response from user"),
    ("255754123004", "success", "Transaction successful"),
    ("255754123009", "failure", "Invalid PIN entered"),
    ("255754120000", "failure", "Insufficient balance"),
    ("255754121111", "pending", "Transaction is being processed"),
])
def test_status_gives_each_scenario_s_final_answer(client, access_token, phone, data, message):
    transaction_id = checkout(client, access_token, phone)["transactionId"]
    clock.advance(3600)
    response = status(client, access_token, transaction_id)
    assert response.status_code == 200
    assert response.json() == {"data": data, "message": message, "success": True, "statusCode": 200}


def test_status_is_pending_until_the_delay_has_passed(client, access_token, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    transaction_id = checkout(client, access_token, "255754123456")["transactionId"]
    assert status(client, access_token, transaction_id).json()["data"] == "pending"
    clock.advance(29)
    assert status(client, access_token, transaction_id).json()["data"] == "pending"
    clock.advance(1)
    assert status(client, access_token, transaction_id).json()["data"] == "success"


def test_status_finds_a_checkout_by_the_merchant_s_external_id(client, access_token):
    checkout(client, access_token, "255754123456", externalId="my-order-7")
    assert status(client, access_token, "my-order-7").json()["data"] == "success"
    assert status(client, access_token, "unknown", externalId="my-order-7").json()["data"] == "success"


def test_status_of_an_unknown_reference(client, access_token):
    assert_envelope(status(client, access_token, "nope"), 404, "Transaction not found")


def test_status_needs_its_parameters(client, access_token):
    assert_problem(client.get(f"{DISBURSEMENT}/api/v1/azampay/transactionstatus", **headers(access_token)),
                   "pgReferenceId", "bankName")
    assert client.post(f"{DISBURSEMENT}/api/v1/azampay/transactionstatus", **headers(access_token)).status_code == 405


def test_simulator_is_mounted_by_the_project_url_conf():
    from django.urls import Resolver404, resolve

    from lipwa.connectors.azampay.simulator import views

    try:
        match = resolve(TOKEN, urlconf="config.urls")
    except (ImportError, Resolver404) as exc:  # the project URL conf is written concurrently
        pytest.skip(f"config.urls does not mount the simulator yet: {exc!r}")
    assert match.func is views.generate_token
