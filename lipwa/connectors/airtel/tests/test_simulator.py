"""The Airtel simulator's HTTP contract: OAuth, keys, signing, collection, enquiry, refund, disbursement, KYC."""

from __future__ import annotations

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.airtel.simulator import scenarios, state

from .test_signing import AES_IV, AES_KEY, BODY, X_SIGNATURE
from .test_simulator_support import (
    SIM,
    UG,
    URLCONF,
    assert_status,
    collection_body,
    compact,
    encrypt_pin,
    get,
    post,
    public_key,
    sign,
    token,
)

pytestmark = pytest.mark.urls(URLCONF)
V1, V2 = "/merchant/v1/payments/", "/merchant/v2/payments/"


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


@pytest.fixture
def key(client, access_token):
    return public_key(client, access_token)


def enquire(client, access_token, transaction_id: str = "txn-1", headers=None):
    return get(client, f"/standard/v1/payments/{transaction_id}", access_token, headers)


# -- scenario table (pure) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("msisdn, scenario, status, code, callbacks", [
    ("752123000", "default", "TS", "DP00800001001", 1),
    ("752123001", "001", "TF", "DP00800001007", 1),
    ("752123002", "002", "TF", "DP00800001008", 1),
    ("752123003", "003", "TE", "DP00800001024", 1),
    ("752123004", "004", "TS", "DP00800001001", 0),
    ("752123005", "005", "TS", "DP00800001001", 3),
    ("752123006", "006", "TS", "DP00800001001", 0),
    ("752123007", "007", "TS", "DP00800001001", 1),
    ("752123008", "008", "TS", "DP00800001001", 1),
    ("752123009", "009", "TF", "DP00800001002", 1),
    ("752123010", "default", "TS", "DP00800001001", 1),
])
def test_collection_scenario_table(msisdn, scenario, status, code, callbacks):
    outcome = scenarios.collection_outcome(msisdn)
    assert (outcome.scenario, outcome.status, outcome.response_code, outcome.callbacks) == (
        scenario, status, code, callbacks)
    assert outcome.initiate_fails is (scenario == "006")
    assert outcome.initiate_hangs is (scenario == "007")
    assert outcome.callback_before_response is (scenario == "008")
    assert outcome.callback_status == ("TS" if status == "TS" else "TF")


# -- OAuth ---------------------------------------------------------------------------------------------------


def test_token_has_a_string_expiry(client):
    response = client.post(f"{SIM}/auth/oauth2/token", data='{"client_id":"sim_key","client_secret":"sim_secret",'
                           '"grant_type":"client_credentials"}', content_type="application/json")
    body = response.json()
    assert (response.status_code, set(body), body["expires_in"], body["token_type"]) == (
        200, {"access_token", "expires_in", "token_type"}, "180", "bearer")


def test_token_accepts_a_form_body(client):
    form = "client_id=sim_key&client_secret=sim_secret&grant_type=client_credentials"
    response = client.post(f"{SIM}/auth/oauth2/token", data=form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


@pytest.mark.parametrize("fields, status, error", [
    ({"client_id": "sim_key", "client_secret": "nope", "grant_type": "client_credentials"}, 401, "invalid_client"),
    ({"client_id": "other", "client_secret": "sim_secret", "grant_type": "client_credentials"}, 401,
     "invalid_client"),
    ({"client_id": "sim_key", "client_secret": "sim_secret", "grant_type": "password"}, 400,
     "unsupported_grant_type"),
    ({"client_id": "sim_key", "client_secret": "sim_secret"}, 400, "unsupported_grant_type"),
])
def test_token_refusals(client, fields, status, error):
    response = client.post(f"{SIM}/auth/oauth2/token", data=compact(fields), content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_token_is_post_only(client):
    assert client.get(f"{SIM}/auth/oauth2/token").status_code == 405


@pytest.mark.parametrize("bearer", [None, "not-a-token"])
def test_api_calls_need_a_valid_bearer(client, bearer):
    assert post(client, V1, collection_body(), bearer).status_code == 401
    assert enquire(client, bearer).json()["error"] == "invalid_token"


def test_tokens_expire_after_180_seconds_of_lipwa_clock(client, access_token):
    clock.advance(179)
    assert post(client, V1, collection_body(), access_token).status_code == 200
    clock.advance(1)
    assert post(client, V1, collection_body(transaction_id="txn-2"), access_token).status_code == 401


@pytest.mark.parametrize("headers, message", [
    ({}, "Invalid X-Country"), ({"HTTP_X_COUNTRY": "GH", "HTTP_X_CURRENCY": "GHS"}, "Invalid X-Country"),
    ({"HTTP_X_COUNTRY": "UG", "HTTP_X_CURRENCY": "KES"}, "Invalid X-Currency"),
])
def test_country_headers_are_required_and_must_agree(client, access_token, headers, message):
    response = post(client, V1, collection_body(), access_token, headers=headers)
    assert assert_status(response, 400, None, False)["status"]["message"] == message


def test_unknown_paths_get_an_airtel_404(client):
    assert_status(client.get(f"{SIM}/merchant/v3/payments/"), 404, None, False)
    assert client.post(f"{SIM}/merchant/v1/payments").status_code == 404, "the trailing slash is part of the path"


# -- keys and signing ---------------------------------------------------------------------------------------


def test_the_key_endpoint_serves_a_2048_bit_rsa_key(client, access_token, key):
    body = get(client, "/v1/rsa/encryption-keys", access_token).json()
    assert body["status"]["response_code"] == "DP02010001001"
    assert set(body["data"]) == {"key_id", "key", "valid_upto"}
    assert key.key_size == 2048


def test_the_key_pair_survives_reset(client, access_token, key):
    state.reset()
    assert public_key(client, token(client)).public_numbers() == key.public_numbers()


def test_v2_accepts_a_signature_made_as_providers_describes(client, access_token, key):
    assert post(client, V2, collection_body(), access_token, key=key).status_code == 200


def test_v2_accepts_the_known_answer_signature(client, access_token, key):
    # The fixed-key vector of test_signing (computed by openssl): the simulator decrypts what Airtel would.
    headers = {**UG, **sign(BODY, key, AES_KEY, AES_IV), "HTTP_AUTHORIZATION": f"Bearer {access_token}"}
    assert headers["HTTP_X_SIGNATURE"] == X_SIGNATURE
    response = client.post(f"{SIM}{V2}", data=BODY, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["status"]["response_code"] == "DP00800001006"


@pytest.mark.parametrize("tamper", ["no headers", "other body", "garbage key"])
def test_v2_refuses_what_does_not_match(client, access_token, key, tamper):
    body = compact(collection_body())
    headers = {**UG, "HTTP_AUTHORIZATION": f"Bearer {access_token}"}
    if tamper == "other body":
        headers.update(sign(compact(collection_body(amount=1001)), key))
    elif tamper == "garbage key":
        headers.update(sign(body, key) | {"HTTP_X_KEY": "AAAA"})
    response = client.post(f"{SIM}{V2}", data=body, content_type="application/json", **headers)
    body_json = assert_status(response, 200, "DP00800001026", False)
    assert "did not match" in body_json["status"]["message"]
    assert state.collections_snapshot() == []


# -- collection ----------------------------------------------------------------------------------------------


def test_collection_is_accepted_in_airtel_s_shape(client, access_token):
    body = assert_status(post(client, V1, collection_body(), access_token), 200, "DP00800001006", True)
    assert body == {"data": {"transaction": {"id": "txn-1", "status": "SUCCESS"}},
                    "status": {"code": "200", "message": "SUCCESS", "result_code": "ESB000010",
                               "response_code": "DP00800001006", "success": True}}


@pytest.mark.parametrize("overrides, message", [
    ({"msisdn": "256752123000"}, "Invalid subscriber.msisdn"),  # "Do not send country code" (§3.4)
    ({"msisdn": "+256752123000"}, "Invalid subscriber.msisdn"),
    ({"amount": 10.5}, "Invalid transaction.amount"),  # UGX is whole
    ({"amount": 0}, "Invalid transaction.amount"),
    ({"amount": "abc"}, "Invalid transaction.amount"),
    ({"amount": True}, "Invalid transaction.amount"),
    ({"transaction_id": ""}, "Invalid transaction.id"),
    ({"country": "KE", "currency": "KES"}, "Invalid subscriber.country"),
])
def test_collection_refuses_bad_fields(client, access_token, overrides, message):
    response = post(client, V1, collection_body(**overrides), access_token)
    assert assert_status(response, 400, None, False)["status"]["message"] == message


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b"", b"[" * 100_000])
def test_malformed_bodies_are_400_never_500(client, access_token, raw):
    assert post(client, V1, raw, access_token).status_code == 400


def test_two_decimals_are_fine_where_the_currency_has_them(client, access_token):
    body = collection_body(amount=10.5, country="KE", currency="KES", msisdn="733123000")
    headers = {"HTTP_X_COUNTRY": "KE", "HTTP_X_CURRENCY": "KES"}
    assert post(client, V1, body, access_token, headers=headers).status_code == 200


def test_a_reused_transaction_id_is_refused(client, access_token):
    post(client, V1, collection_body(), access_token)
    assert_status(post(client, V1, collection_body(), access_token), 409, None, False)
    assert len(state.collections_snapshot()) == 1


def test_scenario_006_answers_503_and_stores_nothing(client, access_token):
    response = post(client, V1, collection_body(msisdn="752123006"), access_token)
    assert_status(response, 503, None, False)
    assert state.collections_snapshot() == []
    assert_status(enquire(client, access_token), 200, "DP00800001025", False)


# -- enquiry ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("msisdn, status, code", [
    ("752123000", "TS", "DP00800001001"), ("752123001", "TF", "DP00800001007"),
    ("752123002", "TF", "DP00800001008"), ("752123003", "TE", "DP00800001024"),
    ("752123005", "TS", "DP00800001001"), ("752123009", "TF", "DP00800001002"),
])
def test_enquiry_gives_each_scenario_s_final_answer(client, access_token, msisdn, status, code):
    post(client, V1, collection_body(msisdn=msisdn), access_token)
    body = assert_status(enquire(client, access_token), 200, code, True)
    transaction = body["data"]["transaction"]
    assert (transaction["id"], transaction["status"]) == ("txn-1", status)
    assert ("airtel_money_id" in transaction) is (status == "TS")


def test_enquiry_is_in_progress_until_the_delay_has_passed(client, access_token, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    post(client, V1, collection_body(msisdn="752123003"), access_token)
    assert enquire(client, access_token).json()["data"]["transaction"]["status"] == "TIP"
    clock.advance(29)
    assert enquire(client, access_token).json()["status"]["response_code"] == "DP00800001006"
    clock.advance(1)
    assert enquire(client, access_token).json()["data"]["transaction"]["status"] == "TE"


def test_scenario_004_is_ambiguous_once_then_succeeds(client, access_token):
    post(client, V1, collection_body(msisdn="752123004"), access_token)
    first = enquire(client, access_token).json()
    assert (first["data"]["transaction"]["status"], first["status"]["response_code"]) == ("TA", "DP00800001000")
    for _ in range(2):
        assert enquire(client, access_token).json()["data"]["transaction"]["status"] == "TS"


def test_enquiry_of_an_unknown_id_or_another_country_is_not_found(client, access_token):
    post(client, V1, collection_body(), access_token)
    assert_status(enquire(client, access_token, "txn-unknown"), 200, "DP00800001025", False)
    other = {"HTTP_X_COUNTRY": "KE", "HTTP_X_CURRENCY": "KES"}
    assert_status(enquire(client, access_token, headers=other), 200, "DP00800001025", False)


# -- refund ------------------------------------------------------------------------------------------------


def paid(client, access_token) -> str:
    post(client, V1, collection_body(), access_token)
    return enquire(client, access_token).json()["data"]["transaction"]["airtel_money_id"]


def test_refund_answers_the_documented_sample_once(client, access_token, key):
    airtel_money_id = paid(client, access_token)
    body = {"transaction": {"airtel_money_id": airtel_money_id}}
    answer = post(client, "/standard/v2/payments/refund", body, access_token, key=key).json()
    assert answer["data"]["transaction"]["status"] == "SUCCESS"
    assert answer["status"] == {"code": "200", "message": "SUCCESS", "result_code": "ESB000010", "success": False}
    again = post(client, "/standard/v1/payments/refund", body, access_token)
    assert_status(again, 200, "DP00800001009", False)


def test_refund_refusals(client, access_token, settings):
    response = post(client, "/standard/v1/payments/refund", {"transaction": {"airtel_money_id": "MP1"}}, access_token)
    assert_status(response, 200, "DP00800001025", False)
    post(client, V1, collection_body(msisdn="752123001", transaction_id="failed"), access_token)
    failed_id = state.collections_snapshot()[0].airtel_money_id
    response = post(client, "/standard/v1/payments/refund", {"transaction": {"airtel_money_id": failed_id}},
                    access_token)
    assert_status(response, 200, "DP00800001009", False)
    assert post(client, "/standard/v1/payments/refund", {"transaction": {}}, access_token).status_code == 400


# -- disbursement and KYC ---------------------------------------------------------------------------------------


def disbursement_body(key, msisdn: str = "752123000", pin: str = "1234", transaction_id: str = "po-1") -> dict:
    return {"payee": {"msisdn": msisdn, "currency": "UGX"}, "reference": "Payout", "pin": encrypt_pin(pin, key),
            "transaction": {"amount": 2500, "id": transaction_id, "type": "B2C"}}


def test_disbursement_succeeds_in_the_documented_shape(client, access_token, key):
    response = post(client, "/standard/v2/disbursements/", disbursement_body(key), access_token, key=key)
    body = assert_status(response, 200, "DP00900001001", True)
    assert set(body["data"]["transaction"]) == {"airtel_money_id", "id", "reference_id", "status", "message"}
    assert body["data"]["transaction"]["status"] == "TS"
    enquiry = get(client, "/standard/v1/disbursements/po-1", access_token).json()
    assert enquiry["data"]["transaction"]["status"] == "TS"


@pytest.mark.parametrize("change, code", [
    ({"pin": "0000"}, "DP00900001009"), ({"msisdn": "752123001"}, "DP00900001007"),
    ({"msisdn": "752123009"}, "DP00900001013")])
def test_disbursement_refusals(client, access_token, key, change, code):
    response = post(client, "/standard/v2/disbursements/", disbursement_body(key, **change), access_token, key=key)
    assert_status(response, 200, code, False)


def test_disbursement_signature_and_duplicates(client, access_token, key):
    unsigned = post(client, "/standard/v2/disbursements/", disbursement_body(key), access_token)
    assert_status(unsigned, 200, "DP00900001016", False)
    post(client, "/standard/v2/disbursements/", disbursement_body(key), access_token, key=key)
    again = post(client, "/standard/v2/disbursements/", disbursement_body(key), access_token, key=key)
    assert_status(again, 200, "DP00900001017", False)
    assert_status(get(client, "/standard/v1/disbursements/nope", access_token), 200, "DP00900001015", False)


def test_user_enquiry(client, access_token):
    found = assert_status(get(client, "/standard/v1/users/752123000", access_token), 200, "DP02200000001", True)
    assert (found["data"]["first_name"], found["data"]["last_name"]) == ("Sim", "Customer 000")
    assert_status(get(client, "/standard/v1/users/752123404", access_token), 200, "DP02200000000", False)
    assert get(client, "/standard/v1/users/256752123000", access_token).status_code == 400
