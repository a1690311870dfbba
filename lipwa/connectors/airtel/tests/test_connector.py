"""The connector's flows against a scripted Airtel on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery covers the same flows end to end through the core; these tests pin one
wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.common.networks import detect_networks
from lipwa.common.phones import parse_phone
from lipwa.connectors.airtel.connector import AirtelConnector, charge_transaction_id
from lipwa.connectors.airtel.credentials import credentials_validate
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, InboundRequest, ResultStatus, SyncRequest
from lipwa.connectors.types import WebhookVerification as V

from . import test_contract
from .stub import (
    COLLECT_V2_PATH,
    ENQUIRY_PATHS,
    TOKEN_PATH,
    Reply,
    closed_port_url,
    echo_id,
    fixture,
    fixture_bytes,
)

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.ug/hooks/airtel/ca_test/tok3n/"
ATTEMPT = "att_01TEST"
REFERENCE = charge_transaction_id(ATTEMPT)


def connector(base_url: str, *, timeout_seconds: float = 5.0, **credential_overrides: str) -> AirtelConnector:
    credentials = AirtelConnector.simulator_credentials(base_url) | credential_overrides
    return AirtelConnector(AccountContext(account_id="ca_test", connector="airtel", mode="test",
                                          credentials=credentials, callback_url=CALLBACK_URL,
                                          timeout_seconds=timeout_seconds))


def charge_request(amount_minor: int = 5000, currency: str = "UGX", phone: str | None = "+256752604392",
                   **fields) -> ChargeRequest:
    defaults = {"attempt_id": ATTEMPT, "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-2024-7", "description": "Clinic visit"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone) if phone else None,
                         **(defaults | fields))


def sync_request(reference: str | None = REFERENCE, state: dict | None = None,
                 phone: str | None = "+256752604392") -> SyncRequest:
    return SyncRequest(attempt_id=ATTEMPT, gateway_reference=reference, amount=Money(5000, "UGX"),
                       phone=parse_phone(phone) if phone else None, connector_state=state or {})


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (AirtelConnector.id, AirtelConnector.callback_slug, AirtelConnector.networks) == (
        "airtel", "airtel", {"airtel"})
    assert AirtelConnector.methods == {"mobile_money"}
    assert AirtelConnector.countries == {"UG", "KE", "TZ", "RW", "ZM", "MW", "CD", "CG", "GA", "NE", "NG", "TD",
                                         "MG", "SC"}
    assert AirtelConnector.currencies == {"UGX", "KES", "TZS", "RWF", "ZMW", "MWK", "CDF", "USD", "XAF", "XOF",
                                          "NGN", "MGA", "SCR"}
    assert {f.name for f in AirtelConnector.credential_fields if f.secret} == {"client_secret", "callback_secret",
                                                                               "pin"}


def test_simulator_credentials_are_valid():
    credentials = AirtelConnector.simulator_credentials("http://127.0.0.1:8000/simulators/airtel")
    assert credentials_validate(credentials) == {}
    assert (credentials["client_id"], credentials["client_secret"], credentials["callback_secret"]) == (
        "sim_key", "sim_secret", "sim_secret")


def test_transaction_ids_are_derived_from_the_attempt():
    assert charge_transaction_id("att_1") == charge_transaction_id("att_1") != charge_transaction_id("att_2")
    assert len(charge_transaction_id("att_1")) == 32 and charge_transaction_id("att_1").isalnum()
    # Pinned: changing the namespace would orphan every attempt in flight.
    assert charge_transaction_id("att_01TEST") == REFERENCE == "8a346790c81c510baefb107a2fb57900"


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_fields, param, code, words", [
    ({"currency": "KES", "amount_minor": 10000}, "currency", "currency_not_supported", "in UG takes UGX, not KES"),
    ({"currency": "GHS"}, "currency", "currency_not_supported", "not GHS"),
    ({"currency": "USD", "amount_minor": 1000}, "currency", "currency_not_supported", "in UG takes UGX"),
    ({"currency": "KES", "amount_minor": 10050, "phone": "+254733123456"}, "amount", "amount_precision",
     "whole KES only"),
    ({"amount_minor": 0}, "amount", "amount_too_small", "minimum of UGX 1"),
    ({"amount_minor": -5}, "amount", "amount_too_small", "minimum of UGX 1"),
    ({"phone": None}, "phone", "phone_required", "phone is required"),
    ({"phone": "+233241234567", "currency": "UGX"}, "phone", "country_not_supported", "does not serve GH"),
    ({"network": "mtn"}, "network", "network_not_supported", "network is mtn"),
])
def test_validate_charge_refuses(request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


@pytest.mark.parametrize("phone, amount_minor, currency", [
    ("+256752604392", 1, "UGX"), ("+254733123456", 100, "KES"), ("+255681234567", 100_000, "TZS"),
    ("+250731234567", 500, "RWF"), ("+260971234567", 1000, "ZMW"), ("+265991234567", 100, "MWK"),
    ("+243991234567", 100, "CDF"), ("+243991234567", 100, "USD"), ("+242051234567", 5, "XAF"),
    ("+24174123456", 5, "XAF"), ("+22796123456", 5, "XOF"), ("+2348021234567", 100, "NGN"),
    ("+23566123456", 5, "XAF"), ("+261331234567", 100, "MGA"), ("+2482512345", 100, "SCR"),
])
def test_validate_charge_accepts_every_country_of_providers_3_9(phone, amount_minor, currency):
    connector("http://unused").validate_charge(charge_request(amount_minor, currency, phone, network="airtel"))


def test_charge_never_sends_what_validation_refuses(airtel):
    with pytest.raises(ConnectorInputError):
        connector(airtel.base_url).charge(charge_request(currency="KES"))
    assert airtel.received == []


# -- charge ---------------------------------------------------------------------------------------------


def test_accepted_push_is_processing_with_the_derived_reference(airtel):
    result = connector(airtel.base_url).charge(charge_request(5000))
    assert (result.status, result.gateway_reference) == (S.PROCESSING, REFERENCE)
    assert result.connector_state == {"country": "UG", "currency": "UGX", "amount_minor": "5000"}
    assert result.gateway_status == "SUCCESS/DP00800001006"
    request = airtel.requests_to(COLLECT_V2_PATH)[0]
    body = request.json()
    assert body["subscriber"] == {"country": "UG", "currency": "UGX", "msisdn": "752604392"}
    assert body["transaction"] == {"amount": 5000, "country": "UG", "currency": "UGX", "id": REFERENCE}
    assert body["reference"] == "INV-2024-7"
    assert request.headers["x-callback-url"] == CALLBACK_URL


def test_amounts_go_in_major_units(airtel):
    connector(airtel.base_url).charge(charge_request(123_400, "KES", "+254733123456"))
    body = airtel.requests_to(COLLECT_V2_PATH)[0].json()
    assert (body["transaction"]["amount"], body["subscriber"]["msisdn"]) == (1234, "733123456")
    assert airtel.requests_to(COLLECT_V2_PATH)[0].headers["x-country"] == "KE"


def test_the_reference_is_plain_and_bounded(airtel):
    connector(airtel.base_url).charge(charge_request(merchant_reference="Café № 7 ☕ " + "x" * 80))
    assert airtel.requests_to(COLLECT_V2_PATH)[0].json()["reference"] == "Cafe No 7 " + "x" * 40


def test_a_timeout_is_unknown_with_the_reference_to_enquire(airtel):
    airtel.script(COLLECT_V2_PATH, Reply(hang=True))
    result = connector(airtel.base_url, timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.gateway_reference, result.failure_code) == (S.UNKNOWN, REFERENCE, None)
    assert result.connector_state["country"] == "UG"


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (S.FAILED, F.PROVIDER_UNAVAILABLE,
                                                                              None)


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("collection__insufficient_funds")), S.FAILED, F.INSUFFICIENT_FUNDS),
    (Reply(200, fixture("collection__signature_mismatch")), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(200, fixture("collection__ambiguous")), S.UNKNOWN, None),
    (Reply(503, fixture("collection__service_unavailable")), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(503, b"<html>Service Unavailable</html>"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(429, b"slow down"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(400, b"<html>bad</html>"), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(504, b"<html>Gateway Timeout</html>"), S.UNKNOWN, None),
    (Reply(409, {"data": {}, "status": {"code": "409", "success": False}}), S.UNKNOWN, None),
    (Reply(200, {"data": {}, "status": {"response_code": "DP00800001099", "success": False}}), S.UNKNOWN, None),
])
def test_answers_map_through_the_tables(airtel, reply, status, failure_code):
    airtel.script(COLLECT_V2_PATH, reply)
    result = connector(airtel.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    if status is S.UNKNOWN:
        assert result.gateway_reference == REFERENCE, "an open outcome keeps the id to enquire by"


def test_unsigned_accounts_use_v1(airtel):
    result = connector(airtel.base_url, message_signing="disabled").charge(charge_request())
    assert result.status is S.PROCESSING
    assert airtel.requests_to(COLLECT_V2_PATH) == [] and len(airtel.received) == 2  # token, push


def test_refused_client_credentials_fail_as_configuration_without_sending(airtel):
    airtel.script(TOKEN_PATH, Reply(401, {"error": "invalid_client"}))
    result = connector(airtel.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, F.CONFIGURATION_ERROR,
                                                                           "HTTP 401")
    assert airtel.requests_to(COLLECT_V2_PATH) == []


def test_unusable_credentials_fail_as_configuration_without_a_request(airtel):
    result = connector(airtel.base_url, client_id="", pin="12").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "client_id" in result.gateway_message and "pin" in result.gateway_message
    assert airtel.received == []


def test_secrets_never_reach_logs_results_or_reprs(airtel, caplog):
    caplog.set_level(logging.DEBUG)
    airtel_connector = connector(airtel.base_url)
    results = [airtel_connector.charge(charge_request())]
    airtel.script(TOKEN_PATH, Reply(401, {"error": "invalid_client"}))
    results.append(connector(airtel.base_url, client_secret="other-secret").charge(charge_request()))
    results.append(connector(airtel.base_url, client_secret="bad secret").charge(charge_request()))
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(airtel_connector.account)
    for secret in ("sim_secret", "other-secret", "bad secret", "stub-token-1", "256752604392", "752604392"):
        assert secret not in seen


# -- charge_sync ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, status, failure_code", [
    ("enquiry__succeeded", S.SUCCEEDED, None),
    ("enquiry__insufficient_funds", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("enquiry__refused", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("enquiry__ambiguous", S.UNKNOWN, None),
    ("enquiry__in_progress", S.PROCESSING, None),
    ("enquiry__expired", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("enquiry__not_found", S.UNKNOWN, None),
])
def test_sync_classifies_the_enquiry(airtel, name, status, failure_code):
    airtel.respond(ENQUIRY_PATHS, echo_id(name))
    result = connector(airtel.base_url).charge_sync(sync_request(state={"country": "UG", "currency": "UGX"}))
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, REFERENCE)
    assert airtel.requests_to(ENQUIRY_PATHS)[0].path == f"/standard/v1/payments/{REFERENCE}"


def test_a_succeeded_enquiry_gives_the_receipt_and_keeps_airtel_s_id(airtel):
    result = connector(airtel.base_url).charge_sync(sync_request())
    assert (result.receipt_number, result.gateway_status) == ("C36xxxxxx67", "TS/DP00800001001")
    assert result.connector_state == {"country": "UG", "currency": "UGX", "airtel_money_id": "C36xxxxxx67"}


def test_sync_without_a_reference_enquires_by_the_derived_id(airtel):
    result = connector(airtel.base_url).charge_sync(sync_request(None))
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, REFERENCE)


def test_sync_takes_the_country_from_the_attempt_state_first(airtel):
    connector(airtel.base_url).charge_sync(sync_request(state={"country": "KE", "currency": "KES"}))
    request = airtel.requests_to(ENQUIRY_PATHS)[0]
    assert (request.headers["x-country"], request.headers["x-currency"]) == ("KE", "KES")


def test_sync_without_any_country_asks_nothing(airtel):
    assert connector(airtel.base_url).charge_sync(sync_request(phone=None)).status is S.UNKNOWN
    assert airtel.received == []


def test_an_answer_about_another_transaction_never_settles_this_one(airtel):
    airtel.script(ENQUIRY_PATHS, Reply(200, fixture("enquiry__succeeded")))  # its id is 83xxxx88
    assert connector(airtel.base_url).charge_sync(sync_request()).status is S.UNKNOWN


@pytest.mark.parametrize("reply", [Reply(hang=True), Reply(500, b"<html>oops</html>"), Reply(401, b"{}")])
def test_a_failed_enquiry_is_unknown(airtel, reply):
    airtel.script(ENQUIRY_PATHS, reply)
    result = connector(airtel.base_url, timeout_seconds=0.3).charge_sync(sync_request())
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)


def test_sync_when_airtel_is_unreachable_is_unknown():
    assert connector(closed_port_url()).charge_sync(sync_request()).status is S.UNKNOWN


# -- callbacks ------------------------------------------------------------------------------------------


def test_webhooks_use_the_account_s_callback_secret():
    signed = InboundRequest(headers={}, body=fixture_bytes("callback__succeeded_signed"))
    assert connector("http://unused").webhook_verify(signed) is V.VERIFIED
    assert connector("http://unused", callback_secret="").webhook_verify(signed) is V.UNVERIFIABLE
    assert connector("http://unused", callback_secret="another").webhook_verify(signed) is V.REJECTED
    # The secret is read even when other credentials are broken: a callback is judged on its own.
    assert connector("http://unused", client_id="").webhook_verify(signed) is V.VERIFIED
    assert connector("http://unused").webhook_parse(signed).result.status is S.SUCCEEDED
    assert connector("http://unused").webhook_ack(True).status_code == 200


@pytest.mark.parametrize("scenario", ["000", "001", "002", "003", "004", "005", "006", "007", "008", "009"])
def test_the_contract_battery_s_numbers_are_valid_airtel_uganda_numbers(scenario):
    phone = parse_phone(test_contract.TestAirtelContract().phone(scenario))
    assert (phone.country, detect_networks(phone), phone.national_significant) == (
        "UG", ("airtel",), f"752123{scenario}")
