"""The Airtel client over a real loopback socket: the exact wire, signing, the token and key caches, transport
failures."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.airtel.client import (
    AirtelClient,
    KeyUnavailable,
    TokenRefused,
    UnexpectedResponse,
    key_refresh_at,
)
from lipwa.connectors.airtel.credentials import AirtelCredentials

from .stub import (
    COLLECT_V1_PATH,
    COLLECT_V2_PATH,
    DISBURSE_PATH,
    ENQUIRY_PATHS,
    KEYS_PATH,
    REFUND_V1_PATH,
    REFUND_V2_PATH,
    TOKEN_PATH,
    USER_PATHS,
    Reply,
    closed_port_url,
    fixture,
    rsa_decrypt,
    unsign,
)

# The §3.4 sample body, compact: exactly the bytes the client must send and sign.
SAMPLE_BODY = (b'{"reference":"Testing transaction",'
               b'"subscriber":{"country":"UG","currency":"UGX","msisdn":"752604392"},'
               b'"transaction":{"amount":1000,"country":"UG","currency":"UGX","id":"random-unique-id"}}')


def client(base_url: str, *, country: str = "UG", currency: str = "UGX", timeout_seconds: float = 5.0,
           **overrides: str) -> AirtelClient:
    values = {"base_url": base_url, "client_id": "sim_key", "client_secret": "sim_secret", "pin": "1234"} | overrides
    return AirtelClient(AirtelCredentials.from_mapping(values), country=country, currency=currency,
                        timeout_seconds=timeout_seconds)


def collect(airtel_client: AirtelClient, callback_url: str = "https://pay.example/hooks/airtel/ca_1/tok/"):
    return airtel_client.collect(transaction_id="random-unique-id", msisdn="752604392", amount=1000,
                                 reference="Testing transaction", callback_url=callback_url)


# -- the wire ------------------------------------------------------------------------------------------------


def test_collection_v2_sends_the_documented_body_signed(airtel):
    with client(airtel.base_url) as airtel_client:
        reply = collect(airtel_client)
    assert reply.response_code == "DP00800001006" and reply.transaction.status == "SUCCESS"
    request = airtel.requests_to(COLLECT_V2_PATH)[0]
    assert request.method == "POST" and request.body == SAMPLE_BODY
    assert {name: request.headers[name] for name in ("accept", "content-type", "x-country", "x-currency",
                                                     "authorization", "x-callback-url")} == {
        "accept": "*/*", "content-type": "application/json", "x-country": "UG", "x-currency": "UGX",
        "authorization": "Bearer stub-token-1", "x-callback-url": "https://pay.example/hooks/airtel/ca_1/tok/"}
    # Airtel decrypts x-key with its private key and x-signature with the AES key inside (§3.3).
    assert unsign(request.headers) == request.body


def test_collection_v1_is_unsigned(airtel):
    with client(airtel.base_url, message_signing="disabled") as airtel_client:
        collect(airtel_client, callback_url="")
    request = airtel.requests_to(COLLECT_V1_PATH)[0]
    assert request.body == SAMPLE_BODY
    assert not {"x-signature", "x-key", "x-callback-url"} & set(request.headers)
    assert airtel.requests_to(KEYS_PATH) == [], "no key is needed to send unsigned"


def test_enquiry_user_and_disbursement_enquiry_paths(airtel):
    with client(airtel.base_url, country="KE", currency="KES") as airtel_client:
        reply = airtel_client.enquire("abc/12 3")
        airtel_client.user("733123456")
        airtel_client.disbursement_enquiry("p1")
    assert reply.transaction.id == "abc%2F12%203"  # the stub echoes the path: the id is quoted as one segment
    paths = [(r.method, r.path, r.headers["x-country"], r.headers["x-currency"]) for r in airtel.received
             if r.path != TOKEN_PATH]
    assert paths == [("GET", "/standard/v1/payments/abc%2F12%203", "KE", "KES"),
                     ("GET", "/standard/v1/users/733123456", "KE", "KES"),
                     ("GET", "/standard/v1/disbursements/p1", "KE", "KES")]
    assert all(r.body == b"" for r in airtel.requests_to(ENQUIRY_PATHS) + airtel.requests_to(USER_PATHS))


@pytest.mark.parametrize("signing_mode, path", [("enabled", REFUND_V2_PATH), ("disabled", REFUND_V1_PATH)])
def test_refund_body(airtel, signing_mode, path):
    with client(airtel.base_url, message_signing=signing_mode) as airtel_client:
        reply = airtel_client.refund("CI2xxxx29")
    assert reply.transaction.status == "SUCCESS" and reply.status.success is False
    request = airtel.requests_to(path)[0]
    assert request.body == b'{"transaction":{"airtel_money_id":"CI2xxxx29"}}'
    assert ("x-signature" in request.headers) is (signing_mode == "enabled")


def test_disbursement_is_signed_with_an_encrypted_pin(airtel):
    with client(airtel.base_url, message_signing="disabled") as airtel_client:
        reply = airtel_client.disburse(transaction_id="AB141", msisdn="752604392", amount=500,
                                       reference="Refund June", name="Chris")
    assert reply.response_code == "DP00900001001"
    request = airtel.requests_to(DISBURSE_PATH)[0]
    assert unsign(request.headers) == request.body, "disbursements are always signed (§3.8)"
    body = request.json()
    assert rsa_decrypt(body.pop("pin")) == b"1234"
    assert body == {"payee": {"msisdn": "752604392", "currency": "UGX", "name": "Chris"},
                    "reference": "Refund June", "transaction": {"amount": 500, "id": "AB141", "type": "B2C"}}


# -- the token -------------------------------------------------------------------------------------------------


def test_token_request_is_the_documented_json(airtel):
    with client(airtel.base_url) as airtel_client:
        assert airtel_client.access_token() == "stub-token-1"
    request = airtel.requests_to(TOKEN_PATH)[0]
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    assert request.json() == {"client_id": "sim_key", "client_secret": "sim_secret",
                              "grant_type": "client_credentials"}


@pytest.mark.parametrize("expires_in", ["180", 180])
def test_token_is_cached_until_thirty_seconds_before_expiry(airtel, expires_in):
    airtel.token_expires_in = expires_in
    clock.freeze()
    for _ in range(3):
        with client(airtel.base_url, country="KE", currency="KES") as airtel_client:
            assert airtel_client.access_token() == "stub-token-1"
    clock.advance(149)
    with client(airtel.base_url) as airtel_client:  # another country, the same app: the same token
        assert airtel_client.access_token() == "stub-token-1"
        clock.advance(1)
        assert airtel_client.access_token() == "stub-token-2"


def test_a_very_short_token_is_refreshed_at_half_its_life(airtel):
    airtel.token_expires_in = "20"
    clock.freeze()
    with client(airtel.base_url) as airtel_client:
        airtel_client.access_token()
        clock.advance(10)
        assert airtel_client.access_token() == "stub-token-2"


def test_tokens_are_per_app_and_per_secret(airtel):
    with client(airtel.base_url) as first, client(airtel.base_url, client_id="other") as second:
        assert first.access_token() != second.access_token()
    with client(airtel.base_url, client_secret="guessed") as guesser:
        assert guesser.access_token() == "stub-token-3"


def test_concurrent_callers_share_one_token_request(airtel):
    airtel.token_delay_seconds = 0.2
    tokens: list[str] = []

    def fetch() -> None:
        with client(airtel.base_url) as airtel_client:
            tokens.append(airtel_client.access_token())

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert tokens == ["stub-token-1"] * 8 and airtel.tokens_issued == 1


def test_a_401_drops_the_token_and_retries_once_with_the_same_bytes(airtel):
    with client(airtel.base_url) as airtel_client:
        airtel_client.access_token()
        airtel.script(COLLECT_V2_PATH, Reply(401, {"error": "invalid_token"}),
                      Reply(200, fixture("collection__accepted")))
        reply = collect(airtel_client)
    assert reply.response_code == "DP00800001006"
    pushes = airtel.requests_to(COLLECT_V2_PATH)
    assert [p.headers["authorization"] for p in pushes] == ["Bearer stub-token-1", "Bearer stub-token-2"]
    assert pushes[0].body == pushes[1].body


def test_the_401_retry_happens_only_once(airtel):
    airtel.script(COLLECT_V2_PATH, Reply(401, {"error": "invalid_token"}))
    with client(airtel.base_url) as airtel_client, pytest.raises(UnexpectedResponse) as excinfo:
        collect(airtel_client)
    assert excinfo.value.http_status == 401
    assert len(airtel.requests_to(COLLECT_V2_PATH)) == 2


@pytest.mark.parametrize("status", [400, 401, 403])
def test_refused_credentials(airtel, status):
    airtel.script(TOKEN_PATH, Reply(status, {"error": "invalid_client"}))
    with client(airtel.base_url) as airtel_client, pytest.raises(TokenRefused) as excinfo:
        collect(airtel_client)
    assert excinfo.value.http_status == status and "sim_secret" not in str(excinfo.value)
    assert airtel.requests_to(COLLECT_V2_PATH) == [], "nothing is sent without a token"


@pytest.mark.parametrize("reply", [Reply(503, b"<html>down</html>"), Reply(429, b""), Reply(200, b"not json"),
                                   Reply(200, {"expires_in": "180"}), Reply(hang=True)])
def test_token_trouble_means_nothing_was_sent(airtel, reply):
    airtel.script(TOKEN_PATH, reply)
    with client(airtel.base_url, timeout_seconds=0.3) as airtel_client, pytest.raises(GatewayUnreachable):
        collect(airtel_client)
    assert airtel.requests_to(COLLECT_V2_PATH) == []


# -- the encryption key ------------------------------------------------------------------------------------------


def test_the_key_is_fetched_with_the_country_headers_and_cached_per_country(airtel):
    for country, currency in (("UG", "UGX"), ("UG", "UGX"), ("KE", "KES")):
        with client(airtel.base_url, country=country, currency=currency) as airtel_client:
            collect(airtel_client)
    keys = airtel.requests_to(KEYS_PATH)
    assert [(k.method, k.headers["x-country"], k.headers["authorization"]) for k in keys] == [
        ("GET", "UG", "Bearer stub-token-1"), ("GET", "KE", "Bearer stub-token-1")]


def test_the_key_is_fetched_again_after_valid_upto(airtel):
    airtel.key_valid_upto = "2030-01-01 00:00:00"
    clock.freeze(datetime(2029, 12, 31, 23, 59, tzinfo=UTC))
    with client(airtel.base_url) as airtel_client:
        airtel_client.public_key()
        clock.advance(59)
        airtel_client.public_key()
        assert airtel.keys_served == 1
        clock.advance(1)
        airtel_client.public_key()
    assert airtel.keys_served == 2


@pytest.mark.parametrize("valid_upto, seconds", [
    ("2030-01-01T00:00:00Z", 3600), ("2030-01-01 00:00:00", 3600), ("2030-01-01T03:00:00+03:00", 3600),
    ("2031-01-01", 24 * 3600), ("next week", 3600), ("", 3600)])
def test_key_refresh_time(valid_upto, seconds):
    now = datetime(2029, 12, 31, 23, 0, tzinfo=UTC)
    assert (key_refresh_at(valid_upto, now) - now).total_seconds() == seconds


def test_a_refused_signature_fetches_the_key_again_and_retries_once(airtel):
    airtel.script(COLLECT_V2_PATH, Reply(200, fixture("collection__signature_mismatch")),
                  Reply(200, fixture("collection__accepted")))
    with client(airtel.base_url) as airtel_client:
        reply = collect(airtel_client)
    assert reply.response_code == "DP00800001006"
    assert airtel.keys_served == 2 and len(airtel.requests_to(COLLECT_V2_PATH)) == 2


@pytest.mark.parametrize("reply", [
    Reply(200, {"data": {}, "status": {"response_code": "DP02010001000", "success": False}}),
    Reply(200, {"data": {"key": "not a key"}, "status": {"response_code": "DP02010001001", "success": True}}),
    Reply(500, b"<html>oops</html>"),
])
def test_an_unusable_key_means_nothing_was_sent(airtel, reply):
    airtel.script(KEYS_PATH, reply)
    with client(airtel.base_url) as airtel_client, pytest.raises(KeyUnavailable):
        collect(airtel_client)
    assert airtel.requests_to(COLLECT_V2_PATH) == []


def test_a_lost_key_answer_means_nothing_was_sent(airtel):
    airtel.script(KEYS_PATH, Reply(hang=True))
    with client(airtel.base_url, timeout_seconds=0.3) as airtel_client, pytest.raises(GatewayUnreachable):
        collect(airtel_client)


# -- transport ---------------------------------------------------------------------------------------------------


def test_a_lost_answer_is_outcome_unknown(airtel):
    airtel.script(COLLECT_V2_PATH, Reply(hang=True))
    with client(airtel.base_url, timeout_seconds=0.3) as airtel_client, pytest.raises(OutcomeUnknown):
        collect(airtel_client)


def test_a_refused_connection_is_gateway_unreachable():
    with client(closed_port_url()) as airtel_client, pytest.raises(GatewayUnreachable):
        collect(airtel_client)


@pytest.mark.parametrize("reply, detail", [
    (Reply(502, b"<html>Bad gateway</html>"), "not JSON"),
    (Reply(200, json.dumps({"fault": "x"}).encode()), "neither Airtel's status block nor data"),
])
def test_unexpected_answers(airtel, reply, detail):
    airtel.script(COLLECT_V2_PATH, reply)
    with client(airtel.base_url) as airtel_client, pytest.raises(UnexpectedResponse) as excinfo:
        collect(airtel_client)
    assert excinfo.value.http_status == reply.status and detail in str(excinfo.value)


def test_an_http_error_with_a_status_block_is_an_answer(airtel):
    airtel.script(COLLECT_V2_PATH, Reply(503, fixture("collection__service_unavailable")))
    with client(airtel.base_url) as airtel_client:
        reply = collect(airtel_client)
    assert (reply.http_status, reply.status.code, reply.status.success) == (503, "503", False)
