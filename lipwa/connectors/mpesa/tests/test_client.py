"""The Daraja client over a real loopback socket: known answers, the token cache, transport failures."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime

import pytest

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.mpesa.client import DarajaClient, TokenRefused, UnexpectedResponse, daraja_timestamp, stk_password
from lipwa.connectors.mpesa.credentials import SANDBOX_PASSKEY, MpesaCredentials
from lipwa.connectors.mpesa.mapping import ErrorEnvelope, StkPushResponse, StkQueryResponse

from .stub import PUSH_PATH, QUERY_PATH, TOKEN_PATH, Reply, closed_port_url, fixture

# The docs' sample Password for shortcode 174379 at 20210628092408 (PROVIDERS.md 1.10).
SAMPLE_PASSWORD = ("MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGEx"
                   "ZWQyYzkxOTIwMjEwNjI4MDkyNDA4")


def credentials(base_url: str, **overrides: str) -> MpesaCredentials:
    values = {"base_url": base_url, "consumer_key": "sim_key", "consumer_secret": "sim_secret",
              "shortcode": "174379", "passkey": SANDBOX_PASSKEY} | overrides
    return MpesaCredentials.from_mapping(values)


def client(base_url: str, timeout_seconds: float = 5.0, **overrides: str) -> DarajaClient:
    return DarajaClient(credentials(base_url, **overrides), timeout_seconds=timeout_seconds)


def push(daraja_client: DarajaClient):
    return daraja_client.stk_push(amount=10, phone_number="254708374149", callback_url="https://x.test/hooks/",
                                  account_reference="INV-1", transaction_desc="Order 1")


# -- known answers ----------------------------------------------------------------------------------------


def test_password_known_answer():
    password = stk_password("174379", SANDBOX_PASSKEY, "20210628092408")
    assert password.startswith("MTc0Mzc5YmZi")
    assert password.endswith("MDkyNDA4")
    assert password == SAMPLE_PASSWORD
    assert base64.b64decode(password).decode() == f"174379{SANDBOX_PASSKEY}20210628092408"


@pytest.mark.parametrize("utc, eat", [
    (datetime(2021, 6, 28, 6, 24, 8, tzinfo=UTC), "20210628092408"),
    (datetime(2021, 12, 31, 22, 30, 0, tzinfo=UTC), "20220101013000"),  # EAT is already tomorrow
    (datetime(2024, 2, 29, 0, 0, 59, 999999, tzinfo=UTC), "20240229030059"),  # microseconds are dropped
])
def test_timestamps_are_east_african_time(utc, eat):
    assert daraja_timestamp(utc) == eat


def test_push_sends_daraja_fields_with_a_matching_password(daraja):
    clock.freeze(datetime(2021, 6, 28, 6, 24, 8, tzinfo=UTC))
    with client(daraja.base_url) as daraja_client:
        response = push(daraja_client)
    assert isinstance(response, StkPushResponse) and response.accepted
    request = daraja.requests_to(PUSH_PATH)[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer stub-token-1"
    assert request.json() == {
        "BusinessShortCode": "174379", "Password": SAMPLE_PASSWORD, "Timestamp": "20210628092408",
        "TransactionType": "CustomerPayBillOnline", "Amount": 10, "PartyA": "254708374149", "PartyB": "174379",
        "PhoneNumber": "254708374149", "CallBackURL": "https://x.test/hooks/", "AccountReference": "INV-1",
        "TransactionDesc": "Order 1"}


def test_buy_goods_sends_the_till_as_party_b(daraja):
    with client(daraja.base_url, transaction_type="CustomerBuyGoodsOnline", party_b="5432101") as daraja_client:
        push(daraja_client)
    body = daraja.requests_to(PUSH_PATH)[0].json()
    assert (body["TransactionType"], body["BusinessShortCode"], body["PartyB"]) == (
        "CustomerBuyGoodsOnline", "174379", "5432101")


def test_query(daraja):
    clock.freeze(datetime(2016, 2, 16, 13, 56, 27, tzinfo=UTC))
    with client(daraja.base_url) as daraja_client:
        response = daraja_client.stk_query(checkout_request_id="ws_CO_13012021093521236557")
    assert isinstance(response, StkQueryResponse) and response.result_code == 0
    body = daraja.requests_to(QUERY_PATH)[0].json()
    assert body == {"BusinessShortCode": "174379", "Timestamp": "20160216165627",
                    "Password": stk_password("174379", SANDBOX_PASSKEY, "20160216165627"),
                    "CheckoutRequestID": "ws_CO_13012021093521236557"}


def test_query_while_the_customer_has_not_acted_returns_the_envelope(daraja):
    daraja.script(QUERY_PATH, Reply(500, fixture("stk_query__being_processed")))
    with client(daraja.base_url) as daraja_client:
        response = daraja_client.stk_query(checkout_request_id="ws_CO_13012021093521236557")
    assert isinstance(response, ErrorEnvelope)
    assert (response.http_status, response.error_code) == (500, "500.001.1001")


# -- the token --------------------------------------------------------------------------------------------


def test_token_request_uses_basic_auth_and_client_credentials(daraja):
    with client(daraja.base_url) as daraja_client:
        assert daraja_client.access_token() == "stub-token-1"
    request = daraja.requests_to(TOKEN_PATH)[0]
    assert request.method == "GET"
    assert request.query == {"grant_type": ["client_credentials"]}
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"sim_key:sim_secret").decode()


@pytest.mark.parametrize("expires_in", ["3599", 3599])
def test_token_is_cached_across_clients_until_five_minutes_before_expiry(daraja, expires_in):
    daraja.token_expires_in = expires_in
    clock.freeze()
    for _ in range(3):
        with client(daraja.base_url) as daraja_client:
            assert daraja_client.access_token() == "stub-token-1"
    clock.advance(3599 - 300 - 1)
    with client(daraja.base_url) as daraja_client:
        assert daraja_client.access_token() == "stub-token-1"
    clock.advance(1)
    with client(daraja.base_url) as daraja_client:
        assert daraja_client.access_token() == "stub-token-2"
    assert daraja.tokens_issued == 2


def test_a_short_lived_token_is_refreshed_at_half_its_life(daraja):
    daraja.token_expires_in = "60"
    clock.freeze()
    with client(daraja.base_url) as daraja_client:
        daraja_client.access_token()
        clock.advance(29)
        assert daraja_client.access_token() == "stub-token-1"
        clock.advance(1)
        assert daraja_client.access_token() == "stub-token-2"


def test_tokens_are_per_app(daraja):
    with client(daraja.base_url) as first, client(daraja.base_url, consumer_key="other_key") as second:
        assert first.access_token() != second.access_token()
    # Knowing an app's consumer key is not enough to reuse its token: the secret is part of the cache key.
    with client(daraja.base_url, consumer_secret="guessed") as guesser:
        assert guesser.access_token() == "stub-token-3"


def test_concurrent_callers_share_one_token_request(daraja):
    daraja.token_delay_seconds = 0.2
    tokens: list[str] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            with client(daraja.base_url) as daraja_client:
                tokens.append(daraja_client.access_token())
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert tokens == ["stub-token-1"] * 8
    assert daraja.tokens_issued == 1


@pytest.mark.parametrize("rejection", [
    Reply(404, fixture("error__invalid_access_token")),
    Reply(401, {"requestId": "1", "errorCode": "401.002.01", "errorMessage": "Error Occurred - Invalid Access Token"}),
])
def test_a_refused_token_is_dropped_and_the_call_retried_once(daraja, rejection):
    with client(daraja.base_url) as daraja_client:
        daraja_client.access_token()  # cache stub-token-1, which Daraja will then refuse
        daraja.script(PUSH_PATH, rejection, Reply(200, fixture("stk_push__accepted")))
        response = push(daraja_client)
    assert isinstance(response, StkPushResponse)
    pushes = daraja.requests_to(PUSH_PATH)
    assert [p.headers["authorization"] for p in pushes] == ["Bearer stub-token-1", "Bearer stub-token-2"]
    assert pushes[0].body == pushes[1].body, "the retry re-sends the same request"


def test_the_retry_happens_only_once(daraja):
    daraja.script(PUSH_PATH, Reply(404, fixture("error__invalid_access_token")))
    with client(daraja.base_url) as daraja_client:
        response = push(daraja_client)
    assert isinstance(response, ErrorEnvelope) and response.error_code == "404.001.03"
    assert len(daraja.requests_to(PUSH_PATH)) == 2
    assert daraja.tokens_issued == 2


def test_other_errors_are_not_retried(daraja):
    daraja.script(PUSH_PATH, Reply(400, fixture("stk_push__invalid_shortcode")))
    with client(daraja.base_url) as daraja_client:
        response = push(daraja_client)
    assert isinstance(response, ErrorEnvelope) and response.error_code == "400.002.02"
    assert len(daraja.requests_to(PUSH_PATH)) == 1


def test_refused_credentials(daraja):
    daraja.script(TOKEN_PATH, Reply(400, {"requestId": "1", "errorCode": "400.008.01",
                                          "errorMessage": "Invalid Authentication passed"}))
    with client(daraja.base_url) as daraja_client, pytest.raises(TokenRefused) as excinfo:
        push(daraja_client)
    assert excinfo.value.error_code == "400.008.01"
    assert "sim_secret" not in str(excinfo.value)
    assert daraja.requests_to(PUSH_PATH) == [], "nothing is sent without a token"


@pytest.mark.parametrize("reply", [Reply(503, b"<html>down</html>"), Reply(200, b"not json"),
                                   Reply(200, {"expires_in": "3599"}), Reply(hang=True)])
def test_token_trouble_means_nothing_was_sent(daraja, reply):
    # Even a lost token answer is GatewayUnreachable, not OutcomeUnknown: the API call was never made.
    daraja.script(TOKEN_PATH, reply)
    with client(daraja.base_url, timeout_seconds=0.3) as daraja_client, pytest.raises(GatewayUnreachable):
        push(daraja_client)
    assert daraja.requests_to(PUSH_PATH) == []


# -- transport --------------------------------------------------------------------------------------------


def test_a_lost_answer_is_outcome_unknown(daraja):
    daraja.script(PUSH_PATH, Reply(hang=True))
    with client(daraja.base_url, timeout_seconds=0.3) as daraja_client, pytest.raises(OutcomeUnknown):
        push(daraja_client)


def test_a_refused_connection_is_gateway_unreachable():
    with client(closed_port_url()) as daraja_client, pytest.raises(GatewayUnreachable):
        push(daraja_client)


@pytest.mark.parametrize("reply, detail", [
    (Reply(502, b"<html>Bad gateway</html>"), "not JSON"),
    (Reply(500, {"fault": "x"}), "without Daraja's error envelope"),
    (Reply(200, {"ResponseCode": "0"}), "CheckoutRequestID"),
])
def test_unexpected_answers(daraja, reply, detail):
    daraja.script(PUSH_PATH, reply)
    with client(daraja.base_url) as daraja_client, pytest.raises(UnexpectedResponse) as excinfo:
        push(daraja_client)
    assert excinfo.value.http_status == reply.status
    assert detail in str(excinfo.value)
