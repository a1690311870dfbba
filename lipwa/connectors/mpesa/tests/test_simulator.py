"""The Daraja simulator's HTTP contract: OAuth, bearer tokens, STK push validation, query, scenarios."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.mpesa.simulator import scenarios, state, views

from .test_simulator_support import (
    BASIC,
    PASSKEY,
    SHORTCODE,
    SIM,
    URLCONF,
    assert_envelope,
    password,
    post,
    push,
    push_body,
    query,
    query_body,
    token,
)

pytestmark = pytest.mark.urls(URLCONF)

OAUTH = f"{SIM}/oauth/v1/generate"


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


def checkout_id_for(client, access_token, phone: str) -> str:
    response = push(client, access_token, push_body(phone=phone))
    assert response.status_code == 200, response.content
    return response.json()["CheckoutRequestID"]


# -- pure functions -------------------------------------------------------------------------------------


def test_password_known_answer_from_the_daraja_docs():
    value = base64.b64encode(("174379" + PASSKEY + "20210628092408").encode()).decode()
    assert value.startswith("MTc0Mzc5YmZi") and value.endswith("MDkyNDA4")
    assert views.stk_password("174379", PASSKEY, "20210628092408") == value


@pytest.mark.parametrize(("phone", "scenario", "result_code", "callbacks"), [
    ("254708374149", "default", 0, 1),
    ("254708374001", "001", 1, 1),
    ("254708374002", "002", 1032, 1),
    ("254708374003", "003", 1037, 1),
    ("254708374004", "004", 0, 0),
    ("254708374005", "005", 0, 3),
    ("254708374007", "007", 0, 1),
    ("254708374008", "008", 0, 1),
    ("254708374009", "009", 2001, 1),
    ("254708374010", "default", 0, 1),
])
def test_scenario_table(phone, scenario, result_code, callbacks):
    outcome = scenarios.outcome_for_phone(phone)
    assert (outcome.scenario, outcome.result_code, outcome.callbacks) == (scenario, result_code, callbacks)
    assert outcome.initiate_fails is (scenario == "006")
    assert outcome.initiate_hangs is (scenario == "007")
    assert outcome.callback_before_response is (scenario == "008")


def test_scenario_006_fails_the_initiate_call():
    assert scenarios.outcome_for_phone("254708374006").initiate_fails


def test_result_descs_match_providers():
    assert scenarios.outcome_for_phone("254708374003").result_desc == "DS timeout user cannot be reached"
    assert scenarios.outcome_for_phone("254708374002").result_desc == "Request cancelled by user"


@pytest.mark.parametrize(("reference", "desc", "code"), [
    ("A" * 12, "D" * 13, 0),
    ("A" * 13, "D", 1025),
    ("A", "D" * 14, 1025),
])
def test_over_long_prompt_text_fails_with_1025(reference, desc, code):
    assert scenarios.outcome_for_push("254708374149", reference, desc).result_code == code


# -- OAuth ------------------------------------------------------------------------------------------------


def test_oauth_issues_a_token_with_string_expiry(client):
    response = client.get(OAUTH, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=BASIC)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in"}
    assert body["expires_in"] == "3599"
    assert re.fullmatch(r"[A-Za-z0-9]{28}", body["access_token"])


def test_oauth_refuses_wrong_credentials_with_401(client):
    wrong = "Basic " + base64.b64encode(b"sim_key:not_the_secret").decode()
    response = client.get(OAUTH, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=wrong)
    assert_envelope(response, 401, "401.002.01", "Invalid consumer key or consumer secret")


@pytest.mark.parametrize("header", [
    None, "Bearer abc", "Basic !!!not-base64!!!", "Basic " + base64.b64encode(b"nocolon").decode()])
def test_oauth_refuses_anything_but_basic_auth(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(OAUTH, {"grant_type": "client_credentials"}, **extra)
    assert_envelope(response, 400, "400.008.01", "Invalid Authentication passed")


@pytest.mark.parametrize("params", [{}, {"grant_type": "password"}])
def test_oauth_refuses_a_bad_grant_type(client, params):
    response = client.get(OAUTH, params, HTTP_AUTHORIZATION=BASIC)
    assert_envelope(response, 400, "400.008.02", "Invalid grant type passed")


def test_oauth_is_get_only(client):
    response = client.post(f"{OAUTH}?grant_type=client_credentials", HTTP_AUTHORIZATION=BASIC)
    assert_envelope(response, 405, "405.001", "Method not allowed")


# -- bearer tokens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bearer", [None, "not-a-token"])
def test_stk_endpoints_refuse_a_missing_or_unknown_token(client, bearer):
    for path in ("/mpesa/stkpush/v1/processrequest", "/mpesa/stkpushquery/v1/query"):
        response = post(client, path, push_body(), bearer)
        assert_envelope(response, 404, "404.001.03", "Invalid Access Token")


def test_token_expires_after_3599_seconds_of_lipwa_clock(client, access_token):
    clock.advance(3598)
    assert push(client, access_token, push_body()).status_code == 200
    clock.advance(2)
    assert_envelope(push(client, access_token, push_body()), 404, "404.001.03", "Invalid Access Token")
    clock.advance(3600)
    assert_envelope(push(client, access_token, push_body()), 404, "404.001.03", "Invalid Access Token")


def test_a_fresh_token_works_after_expiry(client, access_token):
    clock.advance(3600)
    assert push(client, token(client), push_body()).status_code == 200


def test_stk_push_is_post_only(client, access_token):
    response = client.get(f"{SIM}/mpesa/stkpush/v1/processrequest", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    assert_envelope(response, 405, "405.001", "Method not allowed")


def test_unknown_path_gets_daraja_not_found(client):
    response = client.post(f"{SIM}/mpesa/stkpush/v9/processrequest", data="{}", content_type="application/json")
    assert_envelope(response, 404, "404.001.01", "Resource not found")


# -- STK push: acceptance -------------------------------------------------------------------------------------


def test_stk_push_success_response_is_exactly_daraja_s(client, access_token):
    response = push(client, access_token, push_body())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"MerchantRequestID", "CheckoutRequestID", "ResponseCode", "ResponseDescription",
                         "CustomerMessage"}
    assert re.fullmatch(r"ws_CO_[0-9]+", body["CheckoutRequestID"])
    assert body["ResponseCode"] == "0"
    assert body["ResponseDescription"] == "Success. Request accepted for processing"
    assert body["CustomerMessage"] == "Success. Request accepted for processing"
    assert body["MerchantRequestID"]


def test_numeric_strings_are_accepted_everywhere(client, access_token):
    body = push_body(BusinessShortCode=SHORTCODE, Amount="10", PartyA="254708374149", PartyB=SHORTCODE,
                     PhoneNumber="254708374149")
    assert push(client, access_token, body).status_code == 200


@pytest.mark.parametrize("amount", [1, "1", 1.0, "1.00", 250_000, "250000"])
def test_whole_amounts_in_any_numeric_form_are_accepted(client, access_token, amount):
    assert push(client, access_token, push_body(Amount=amount)).status_code == 200


def test_numeric_timestamp_and_buy_goods_are_accepted(client, access_token):
    body = push_body(Timestamp=int("20210628092408"), TransactionType="CustomerBuyGoodsOnline", PartyB=600000)
    assert push(client, access_token, body).status_code == 200


def test_transaction_desc_is_optional(client, access_token):
    body = push_body()
    del body["TransactionDesc"]
    assert push(client, access_token, body).status_code == 200


def test_checkout_request_ids_are_unique(client, access_token):
    ids = {push(client, access_token, push_body()).json()["CheckoutRequestID"] for _ in range(20)}
    assert len(ids) == 20


# -- STK push: refusals -------------------------------------------------------------------------------------

_MISSING = object()
INVALID_FIELDS = [
    ("BusinessShortCode", "abc"), ("BusinessShortCode", 12), ("BusinessShortCode", True),
    ("BusinessShortCode", _MISSING), ("BusinessShortCode", "17437 9"),
    ("Password", _MISSING), ("Password", ""), ("Password", 123),
    ("Timestamp", "2021062809240"), ("Timestamp", "20211328092408"), ("Timestamp", "abc"), ("Timestamp", _MISSING),
    ("TransactionType", "CustomerPayBill"), ("TransactionType", _MISSING),
    ("Amount", 0), ("Amount", -1), ("Amount", 250_001), ("Amount", 10.5), ("Amount", "10.5"), ("Amount", "abc"),
    ("Amount", None), ("Amount", True), ("Amount", _MISSING), ("Amount", "NaN"), ("Amount", [1]),
    ("PartyA", "0708374149"), ("PartyA", 254808374149), ("PartyA", "+254708374149"), ("PartyA", _MISSING),
    ("PartyB", "12"), ("PartyB", _MISSING),
    ("PhoneNumber", "25470837414"), ("PhoneNumber", "254708374149x"), ("PhoneNumber", _MISSING),
    ("CallBackURL", "ftp://example.com/cb"), ("CallBackURL", "not a url"), ("CallBackURL", ""),
    ("CallBackURL", "http://"), ("CallBackURL", 5), ("CallBackURL", _MISSING),
    ("AccountReference", _MISSING), ("AccountReference", ""), ("AccountReference", ["x"]),
    ("TransactionDesc", ["x"]),
]


@pytest.mark.parametrize(("field", "value"), INVALID_FIELDS)
def test_each_invalid_field_gets_daraja_s_400(client, access_token, field, value):
    body = push_body()
    if value is _MISSING:
        del body[field]
    else:
        body[field] = value
    response = push(client, access_token, body)
    assert_envelope(response, 400, "400.002.02", f"Bad Request - Invalid {field}")
    assert state.requests_snapshot() == []


def test_wrong_password_is_500_wrong_credentials(client, access_token):
    body = push_body(Password=password(passkey="0" * 64))
    assert_envelope(push(client, access_token, body), 500, "500.001.1001", "Wrong credentials")


def test_password_must_use_the_same_timestamp(client, access_token):
    body = push_body(Timestamp="20210628092409")
    assert_envelope(push(client, access_token, body), 500, "500.001.1001", "Wrong credentials")


def test_unknown_shortcode_is_merchant_does_not_exist(client, access_token):
    body = push_body(BusinessShortCode=600000, Password=password(shortcode="600000"))
    assert_envelope(push(client, access_token, body), 500, "500.001.1001", "Merchant does not exist")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_reads_as_invalid_shortcode(client, access_token, content_type):
    response = post(client, "/mpesa/stkpush/v1/processrequest", push_body(), access_token, content_type=content_type)
    assert_envelope(response, 400, "400.002.02", "Bad Request - Invalid BusinessShortCode")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b"\xff\xfe\x00", b"[" * 100_000, b"null", b"12"])
def test_malformed_json_is_a_400_envelope_never_a_500(client, access_token, raw):
    for path in ("/mpesa/stkpush/v1/processrequest", "/mpesa/stkpushquery/v1/query"):
        response = post(client, path, raw, access_token)
        assert_envelope(response, 400, "400.002.02", "Bad Request - Invalid BusinessShortCode")


# -- STK query ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("phone", "result_code", "result_desc"), [
    ("254708374149", "0", "The service request is processed successfully."),
    ("254708374001", "1", "The balance is insufficient for the transaction."),
    ("254708374002", "1032", "Request cancelled by user"),
    ("254708374003", "1037", "DS timeout user cannot be reached"),
    ("254708374004", "0", "The service request is processed successfully."),
    ("254708374005", "0", "The service request is processed successfully."),
    ("254708374009", "2001", "The initiator information is invalid."),
])
def test_query_gives_each_scenario_s_final_answer_with_string_codes(client, access_token, phone, result_code,
                                                                     result_desc):
    initiated = push(client, access_token, push_body(phone=phone)).json()
    response = query(client, access_token, query_body(initiated["CheckoutRequestID"]))
    assert response.status_code == 200
    assert response.json() == {
        "ResponseCode": "0",
        "ResponseDescription": "The service request has been accepted successfully",
        "MerchantRequestID": initiated["MerchantRequestID"],
        "CheckoutRequestID": initiated["CheckoutRequestID"],
        "ResultCode": result_code,
        "ResultDesc": result_desc,
    }


def test_query_says_being_processed_until_the_delay_has_passed(client, access_token, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    checkout_id = checkout_id_for(client, access_token, "254708374149")
    pending = assert_envelope(query(client, access_token, query_body(checkout_id)), 500, "500.001.1001",
                              "The transaction is being processed")
    assert pending["requestId"] == checkout_id
    clock.advance(29)
    assert query(client, access_token, query_body(checkout_id)).status_code == 500
    clock.advance(1)
    assert query(client, access_token, query_body(checkout_id)).json()["ResultCode"] == "0"


def test_query_accepts_numeric_shortcode_and_timestamp(client, access_token):
    checkout_id = checkout_id_for(client, access_token, "254708374149")
    body = query_body(checkout_id, BusinessShortCode=int(SHORTCODE), Timestamp=int("20210628092408"))
    assert query(client, access_token, body).status_code == 200


def test_query_of_an_unknown_id_is_invalid_checkout_request_id(client, access_token):
    response = query(client, access_token, query_body("ws_CO_000000000000000000"))
    assert_envelope(response, 400, "400.002.02", "Bad Request - Invalid CheckoutRequestID")


@pytest.mark.parametrize("value", [_MISSING, "", 123, None])
def test_query_needs_a_checkout_request_id(client, access_token, value):
    body = query_body("x")
    if value is _MISSING:
        del body["CheckoutRequestID"]
    else:
        body["CheckoutRequestID"] = value
    assert_envelope(query(client, access_token, body), 400, "400.002.02", "Bad Request - Invalid CheckoutRequestID")


def test_query_checks_the_password(client, access_token):
    checkout_id = checkout_id_for(client, access_token, "254708374149")
    body = query_body(checkout_id, Password=password(timestamp="20210628092409"))
    assert_envelope(query(client, access_token, body), 500, "500.001.1001", "Wrong credentials")


@pytest.mark.parametrize(("field", "value"), [("BusinessShortCode", "x"), ("Password", None), ("Timestamp", "1")])
def test_query_validates_its_credentials_fields(client, access_token, field, value):
    body = query_body("ws_CO_1", **{field: value})
    assert_envelope(query(client, access_token, body), 400, "400.002.02", f"Bad Request - Invalid {field}")


# -- initiate-call scenarios ------------------------------------------------------------------------------


def test_scenario_006_returns_500_and_creates_nothing(client, access_token):
    response = push(client, access_token, push_body(phone="254708374006"))
    assert_envelope(response, 500, "500.003.02", "System is busy")
    assert state.requests_snapshot() == []
    assert state.timers_pending() == 0


def test_scenario_007_hangs_after_creating_the_request(client, access_token, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 0.3
    started = time.monotonic()
    response = push(client, access_token, push_body(phone="254708374007", callback_url="http://127.0.0.1:9/cb"))
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    checkout_id = response.json()["CheckoutRequestID"]
    assert [r.checkout_request_id for r in state.requests_snapshot()] == [checkout_id]
    assert query(client, access_token, query_body(checkout_id)).json()["ResultCode"] == "0"


def test_simulator_is_mounted_by_the_project_url_conf():
    from django.urls import Resolver404, resolve

    try:
        match = resolve(f"{SIM}/oauth/v1/generate", urlconf="config.urls")
    except (ImportError, Resolver404) as exc:  # the project URL conf is written concurrently
        pytest.skip(f"config.urls does not mount the simulator yet: {exc!r}")
    assert match.func is views.oauth_generate
