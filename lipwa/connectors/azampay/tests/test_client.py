"""The AzamPay client over a real loopback socket: known answers from PROVIDERS.md §4, the token cache, hosts,
transport failures."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.azampay.client import AzamPayClient, TokenRefused, UnexpectedResponse
from lipwa.connectors.azampay.credentials import AzamPayCredentials
from lipwa.connectors.azampay.mapping import CheckoutResponse, Envelope, NameLookupResponse, ProblemDetails

from .stub import (
    BANK_PATH,
    DISBURSE_PATH,
    LOOKUP_PATH,
    MNO_PATH,
    STATUS_PATH,
    TOKEN_PATH,
    Reply,
    closed_port_url,
    fixture,
)


def client(stub, timeout_seconds: float = 5.0, **overrides: str) -> AzamPayClient:
    return AzamPayClient(AzamPayCredentials.from_mapping(stub.credentials(**overrides)),
                         timeout_seconds=timeout_seconds)


def checkout(azampay_client: AzamPayClient):
    return azampay_client.mno_checkout(account_number="255747123456", amount="1000", external_id="order-1",
                                       provider="Mpesa", callback_url="https://x.test/hooks/azampay/",
                                       additional_properties={"payment_id": "pay_1"})


# -- known answers ----------------------------------------------------------------------------------------


def test_token_request_is_the_documented_json(azampay):
    with client(azampay) as azampay_client:
        assert azampay_client.access_token() == "stub-token-1"
    [request] = azampay.requests_to(TOKEN_PATH)
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"appName": "lipwa", "clientId": "sim_key", "clientSecret": "sim_secret"}
    assert "authorization" not in request.headers


def test_mno_checkout_sends_the_documented_fields_with_bearer_and_api_key(azampay):
    with client(azampay) as azampay_client:
        response = checkout(azampay_client)
    assert response == CheckoutResponse(200, True, "ab12cd34ef5678900fedcba987654321",
                                        "Request in progress. You will receive a callback shortly")
    [request] = azampay.requests_to(MNO_PATH)
    assert request.method == "POST"
    assert request.headers["authorization"] == "Bearer stub-token-1"
    assert request.headers["x-api-key"] == "sim_api_key"
    assert request.json() == {"accountNumber": "255747123456", "amount": "1000", "currency": "TZS",
                              "externalId": "order-1", "provider": "Mpesa",
                              "additionalProperties": {"payment_id": "pay_1"},
                              "callbackUrl": "https://x.test/hooks/azampay/"}


def test_bank_checkout_sends_the_documented_fields(azampay):
    with client(azampay) as azampay_client:
        response = azampay_client.bank_checkout(amount="1000", account_number="0150123456789",
                                                mobile_number="255754123456", merchant_name=None, otp="123456",
                                                provider="CRDB", reference_id="ref-1", callback_url="https://x/")
    assert isinstance(response, CheckoutResponse) and response.success
    assert azampay.requests_to(BANK_PATH)[0].json() == {
        "amount": "1000", "currencyCode": "TZS", "merchantAccountNumber": "0150123456789",
        "merchantMobileNumber": "255754123456", "merchantName": None, "otp": "123456", "provider": "CRDB",
        "referenceId": "ref-1", "additionalProperties": {}, "callbackUrl": "https://x/"}


def test_status_query_goes_to_the_disbursement_host_as_a_get(azampay):
    with client(azampay) as azampay_client:
        response = azampay_client.transaction_status(reference="tx-1", bank_name="Tigo", external_id="order-1")
    assert response == Envelope(200, True, "success", "Transaction successful", 200)
    [request] = azampay.requests_to(STATUS_PATH)
    assert (request.method, request.body) == ("GET", b"")
    assert request.query == {"pgReferenceId": ["tx-1"], "bankName": ["Tigo"], "externalId": ["order-1"]}
    assert request.headers["x-api-key"] == "sim_api_key"


def test_disburse_sends_source_destination_and_transfer_details(azampay):
    party = {"countryCode": "TZ", "fullName": "A", "bankName": "Tigo", "accountNumber": "255714123456",
             "currency": "TZS"}
    with client(azampay) as azampay_client:
        response = azampay_client.disburse(source=party, destination=party, amount="5000", transfer_type="INTERNAL",
                                           date="2024-06-01T12:00:00Z", external_reference_id="ref-9",
                                           remarks="refund")
    assert isinstance(response, Envelope) and response.data == "pending"
    assert azampay.requests_to(DISBURSE_PATH)[0].json() == {
        "source": party, "destination": party,
        "transferDetails": {"type": "INTERNAL", "amount": "5000", "date": "2024-06-01T12:00:00Z"},
        "externalReferenceId": "ref-9", "remarks": "refund"}


def test_name_lookup(azampay):
    with client(azampay) as azampay_client:
        response = azampay_client.name_lookup(bank_name="Tigo", account_number="255714123456")
    assert response == NameLookupResponse(True, "Juma Hamisi", "Name lookup successful", "255714123456", "Tigo")
    assert azampay.requests_to(LOOKUP_PATH)[0].json() == {"bankName": "Tigo", "accountNumber": "255714123456"}


def test_each_call_goes_to_its_own_host(azampay):
    with client(azampay) as azampay_client:
        checkout(azampay_client)
        azampay_client.transaction_status(reference="x", bank_name="Mpesa")
    assert [r.path for r in azampay.received] == [TOKEN_PATH, MNO_PATH, STATUS_PATH]


# -- decoding ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply, kind", [
    (Reply(200, fixture("mno_checkout__rejected")), CheckoutResponse),
    (Reply(400, fixture("mno_checkout__invalid_account_number")), ProblemDetails),
    (Reply(503, fixture("mno_checkout__service_unavailable")), Envelope),
])
def test_checkout_answers_decode_to_their_shapes(azampay, reply, kind):
    azampay.script(MNO_PATH, reply)
    with client(azampay) as azampay_client:
        response = checkout(azampay_client)
    assert type(response) is kind
    assert response.http_status == reply.status
    assert not getattr(response, "success", False)


@pytest.mark.parametrize("reply, detail", [
    (Reply(502, b"<html>Bad gateway</html>"), "not JSON"),
    (Reply(500, {"fault": "x"}), "no boolean success"),
    (Reply(200, {"transactionId": "x"}), "no boolean success"),
])
def test_unexpected_answers(azampay, reply, detail):
    azampay.script(MNO_PATH, reply)
    with client(azampay) as azampay_client, pytest.raises(UnexpectedResponse) as excinfo:
        checkout(azampay_client)
    assert excinfo.value.http_status == reply.status
    assert detail in str(excinfo.value)


# -- the token --------------------------------------------------------------------------------------------


def test_token_is_cached_across_clients_until_five_minutes_before_expire(azampay):
    clock.freeze(datetime(2024, 6, 1, 0, 0, tzinfo=UTC))
    azampay.token_expire = "2024-06-01T12:00:00Z"
    for _ in range(3):
        with client(azampay) as azampay_client:
            assert azampay_client.access_token() == "stub-token-1"
    clock.advance(12 * 3600 - 300 - 1)
    with client(azampay) as azampay_client:
        assert azampay_client.access_token() == "stub-token-1"
    clock.advance(1)
    with client(azampay) as azampay_client:
        assert azampay_client.access_token() == "stub-token-2"
    assert azampay.tokens_issued == 2


def test_a_short_lived_token_is_refreshed_at_half_its_life(azampay):
    clock.freeze()
    azampay.token_lifetime_seconds = 60
    with client(azampay) as azampay_client:
        azampay_client.access_token()
        clock.advance(29)
        assert azampay_client.access_token() == "stub-token-1"
        clock.advance(1)
        assert azampay_client.access_token() == "stub-token-2"


@pytest.mark.parametrize("expire", [None, "", "tomorrow", "2000-01-01T00:00:00Z", 12])
def test_an_unusable_expire_assumes_an_hour(azampay, expire, caplog):
    clock.freeze(datetime(2024, 6, 1, tzinfo=UTC))
    azampay.token_expire = expire if expire is not None else ""
    with client(azampay) as azampay_client:
        azampay_client.access_token()
        clock.advance(3600 - 300 - 1)
        assert azampay_client.access_token() == "stub-token-1"
        clock.advance(1)
        assert azampay_client.access_token() == "stub-token-2"
    assert "no usable expiry" in caplog.text


def test_an_expire_without_a_zone_is_utc(azampay):
    clock.freeze(datetime(2024, 6, 1, 0, 0, tzinfo=UTC))
    azampay.token_expire = "2024-06-01T01:00:00.0000000"  # .NET writes seven fractional digits
    with client(azampay) as azampay_client:
        azampay_client.access_token()
        clock.advance(3600 - 300 - 1)
        assert azampay_client.access_token() == "stub-token-1"
        clock.advance(1)
        assert azampay_client.access_token() == "stub-token-2"


def test_tokens_are_per_app(azampay):
    with client(azampay) as first, client(azampay, client_id="other") as second:
        assert first.access_token() != second.access_token()
    # Knowing an app's client id is not enough to reuse its token: the secret is part of the cache key.
    with client(azampay, client_secret="guessed") as guesser:
        assert guesser.access_token() == "stub-token-3"


def test_concurrent_callers_share_one_token_request(azampay):
    azampay.token_delay_seconds = 0.2
    tokens: list[str] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            with client(azampay) as azampay_client:
                tokens.append(azampay_client.access_token())
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert tokens == ["stub-token-1"] * 8
    assert azampay.tokens_issued == 1


def test_a_refused_token_is_dropped_and_the_call_retried_once(azampay):
    with client(azampay) as azampay_client:
        azampay_client.access_token()  # cache stub-token-1, which AzamPay will then refuse
        azampay.script(MNO_PATH, Reply(401, fixture("error__unauthorized")),
                       Reply(200, fixture("mno_checkout__accepted")))
        response = checkout(azampay_client)
    assert isinstance(response, CheckoutResponse) and response.success
    checkouts = azampay.requests_to(MNO_PATH)
    assert [c.headers["authorization"] for c in checkouts] == ["Bearer stub-token-1", "Bearer stub-token-2"]
    assert checkouts[0].body == checkouts[1].body, "the retry re-sends the same request"


def test_the_retry_happens_only_once(azampay):
    azampay.script(STATUS_PATH, Reply(401, fixture("error__unauthorized")))
    with client(azampay) as azampay_client:
        response = azampay_client.transaction_status(reference="x", bank_name="Tigo")
    assert isinstance(response, Envelope) and response.http_status == 401
    assert len(azampay.requests_to(STATUS_PATH)) == 2
    assert azampay.tokens_issued == 2


def test_other_refusals_are_not_retried(azampay):
    azampay.script(MNO_PATH, Reply(403, {"data": None, "message": "Invalid API key", "success": False,
                                         "statusCode": 403}))
    with client(azampay) as azampay_client:
        response = checkout(azampay_client)
    assert isinstance(response, Envelope) and response.http_status == 403
    assert len(azampay.requests_to(MNO_PATH)) == 1


@pytest.mark.parametrize("status", [423, 401, 400])
def test_refused_credentials(azampay, status):
    azampay.script(TOKEN_PATH, Reply(status, fixture("token__invalid_credentials")))
    with client(azampay) as azampay_client, pytest.raises(TokenRefused) as excinfo:
        checkout(azampay_client)
    assert excinfo.value.http_status == status
    assert "not valid for this app" in str(excinfo.value)
    assert "sim_secret" not in str(excinfo.value)
    assert azampay.requests_to(MNO_PATH) == [], "nothing is sent without a token"


@pytest.mark.parametrize("reply", [Reply(503, b"<html>down</html>"), Reply(200, b"not json"),
                                   Reply(200, {"data": {"expire": "2030-01-01T00:00:00Z"}}), Reply(hang=True)])
def test_token_trouble_means_nothing_was_sent(azampay, reply):
    # Even a lost token answer is GatewayUnreachable, not OutcomeUnknown: the API call was never made.
    azampay.script(TOKEN_PATH, reply)
    with client(azampay, timeout_seconds=0.3) as azampay_client, pytest.raises(GatewayUnreachable):
        checkout(azampay_client)
    assert azampay.requests_to(MNO_PATH) == []


# -- transport --------------------------------------------------------------------------------------------


def test_a_lost_answer_is_outcome_unknown(azampay):
    azampay.script(MNO_PATH, Reply(hang=True))
    with client(azampay, timeout_seconds=0.3) as azampay_client, pytest.raises(OutcomeUnknown):
        checkout(azampay_client)


def test_a_refused_connection_is_gateway_unreachable(azampay):
    with client(azampay, base_url=closed_port_url()) as azampay_client, pytest.raises(GatewayUnreachable):
        checkout(azampay_client)
