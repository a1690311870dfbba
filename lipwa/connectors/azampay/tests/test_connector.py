"""The connector's checkout flows against a scripted AzamPay on 127.0.0.1: validation, provider choice, and what
each answer means.

The simulator-based contract battery (lipwa/connectors/testing/contract.py) covers the same flows end to end
through the core; these tests pin one wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.azampay.connector import AzamPayConnector
from lipwa.connectors.azampay.credentials import credentials_validate
from lipwa.connectors.azampay.mapping import external_id
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, ResultStatus, SyncRequest

from .stub import MNO_PATH, STATUS_PATH, TOKEN_PATH, Reply, closed_port_url, fixture

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.co.tz/hooks/azampay/ca_test/tok3n/"
ATTEMPT = "att_01TEST"
REFERENCE = external_id("charge", ATTEMPT)
TX = "ab12cd34ef5678900fedcba987654321"


def connector(credentials: dict[str, str], *, timeout_seconds: float = 5.0, mode: str = "test") -> AzamPayConnector:
    return AzamPayConnector(AccountContext(account_id="ca_test", connector="azampay", mode=mode,
                                           credentials=credentials, callback_url=CALLBACK_URL,
                                           timeout_seconds=timeout_seconds))


def unused() -> AzamPayConnector:
    return connector(AzamPayConnector.simulator_credentials("http://127.0.0.1:9/simulators/azampay"))


def charge_request(amount_minor: int = 100_000, currency: str = "TZS", phone: str | None = "+255754123456",
                   **fields) -> ChargeRequest:
    defaults = {"attempt_id": ATTEMPT, "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-2024-7", "description": "Clinic visit"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone, "TZ") if phone else None,
                         **(defaults | fields))


def sync_request(reference: str | None = REFERENCE, state: dict | None = None,
                 phone: str | None = "+255754123456") -> SyncRequest:
    return SyncRequest(attempt_id=ATTEMPT, gateway_reference=reference, amount=Money(100_000, "TZS"),
                       phone=parse_phone(phone) if phone else None, connector_state=state or {})


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (AzamPayConnector.id, AzamPayConnector.callback_slug) == ("azampay", "azampay")
    assert AzamPayConnector.methods == {"mobile_money"}
    assert (AzamPayConnector.currencies, AzamPayConnector.countries) == ({"TZS"}, {"TZ"})
    assert AzamPayConnector.networks == {"vodacom", "tigo", "airtel", "halotel", "azampesa"}
    assert AzamPayConnector.default_expires_in_seconds == 900


def test_simulator_credentials_point_each_host_at_its_simulator_prefix():
    credentials = AzamPayConnector.simulator_credentials("http://127.0.0.1:8000/simulators/azampay/")
    assert credentials_validate(credentials) == {}
    assert credentials["auth_base_url"] == "http://127.0.0.1:8000/simulators/azampay/authenticator"
    assert credentials["base_url"] == "http://127.0.0.1:8000/simulators/azampay/checkout"
    assert credentials["disbursement_base_url"] == "http://127.0.0.1:8000/simulators/azampay/disbursement"
    assert (credentials["client_id"], credentials["client_secret"], credentials["api_key"]) == (
        "sim_key", "sim_secret", "sim_api_key")


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_fields, param, code, words", [
    ({"currency": "KES"}, "currency", "currency_not_supported", "TZS only"),
    ({"amount_minor": 100_050}, "amount", "amount_precision", "TZS 1000.50"),
    ({"amount_minor": 150}, "amount", "amount_precision", "whole shillings"),
    ({"amount_minor": 9_900}, "amount", "amount_too_small", "minimum of TZS 100"),
    ({"amount_minor": 0}, "amount", "amount_too_small", "minimum of TZS 100"),
    ({"amount_minor": 1_000_000_100}, "amount", "amount_too_large", "maximum of TZS 10,000,000"),
    ({"phone": None}, "phone", "phone_required", "phone is required"),
    ({"phone": "+254712345678"}, "phone", "invalid_phone", "Tanzanian mobile number"),
    ({"phone": "+255222123456"}, "phone", "invalid_phone", "Tanzanian mobile number"),  # a Dar es Salaam landline
    ({"phone": "+255664123456"}, "phone", "network_unknown", "cannot be told from its prefix"),  # 066 Smile
    ({"phone": "+255734123456"}, "phone", "network_not_supported", "ttcl number"),  # T-Pesa: not on AzamPay
    ({"network": "mtn"}, "network", "network_not_supported", "cannot charge the network 'mtn'"),
    ({"network": "ttcl"}, "network", "network_not_supported", "azampesa, halotel, tigo, vodacom"),
])
def test_validate_charge_refuses(request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        unused().validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


def test_refused_phones_are_masked_in_the_message():
    with pytest.raises(ConnectorInputError) as excinfo:
        unused().validate_charge(charge_request(phone="+255664123456"))
    assert "255664123456" not in excinfo.value.message
    assert "2556*****456" in excinfo.value.message


@pytest.mark.parametrize("phone, network, provider", [
    ("+255744123456", None, "Mpesa"), ("+255754123456", None, "Mpesa"), ("+255764123456", None, "Mpesa"),
    ("+255654123456", None, "Tigo"), ("+255674123456", None, "Tigo"), ("+255714123456", None, "Tigo"),
    ("+255774123456", None, "Tigo"),  # Zantel, merged into Tigo/Yas (4.9)
    ("+255684123456", None, "Airtel"), ("+255784123456", None, "Airtel"),
    ("+255694123456", None, "Airtel"),  # listed as Airtel by one source, Halotel by another; Airtel first (4.9)
    ("+255614123456", None, "Halopesa"), ("+255624123456", None, "Halopesa"),
    # A named network wins over the prefix: numbers are portable (4.9), and Azampesa has no prefix at all.
    ("+255754123456", "azampesa", "Azampesa"), ("+255754123456", "AIRTEL", "Airtel"),
    ("+255694123456", "halotel", "Halopesa"), ("+255664123456", "tigo", "Tigo"),
])
def test_charge_sends_the_provider_of_the_network(azampay, phone, network, provider):
    result = connector(azampay.credentials()).charge(charge_request(phone=phone, network=network))
    assert result.status is S.PROCESSING
    assert result.connector_state["provider"] == provider
    body = azampay.requests_to(MNO_PATH)[0].json()
    assert (body["provider"], body["accountNumber"]) == (provider, parse_phone(phone).msisdn)


def test_charge_never_sends_what_validation_refuses(azampay):
    with pytest.raises(ConnectorInputError):
        connector(azampay.credentials()).charge(charge_request(150))
    assert azampay.received == []


# -- charge ---------------------------------------------------------------------------------------------


def test_accepted_checkout_is_processing_with_our_external_id_as_reference(azampay):
    result = connector(azampay.credentials()).charge(charge_request(123_400))
    assert result.status is S.PROCESSING
    assert result.gateway_reference == REFERENCE
    assert result.connector_state == {"provider": "Mpesa", "kind": "mno", "transaction_id": TX}
    assert result.gateway_status == "success"
    body = azampay.requests_to(MNO_PATH)[0].json()
    assert body == {"accountNumber": "255754123456", "amount": "1234", "currency": "TZS", "externalId": REFERENCE,
                    "provider": "Mpesa", "callbackUrl": CALLBACK_URL,
                    "additionalProperties": {"payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                                             "merchant_reference": "INV-2024-7"}}


def test_the_same_attempt_always_sends_the_same_external_id(azampay):
    for _ in range(2):
        connector(azampay.credentials()).charge(charge_request())
    assert {r.json()["externalId"] for r in azampay.requests_to(MNO_PATH)} == {REFERENCE}


def test_a_timeout_is_unknown_and_still_names_the_reference(azampay):
    azampay.script(MNO_PATH, Reply(hang=True))
    result = connector(azampay.credentials(), timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)
    assert result.gateway_reference == REFERENCE, "the janitor re-queries by it instead of charging twice"
    assert result.connector_state == {"provider": "Mpesa", "kind": "mno"}


def test_a_refused_connection_fails_as_provider_unavailable(azampay):
    result = connector(azampay.credentials(base_url=closed_port_url())).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("mno_checkout__rejected")), S.FAILED, F.PROVIDER_DECLINED),
    (Reply(200, {"success": False, "transactionId": None, "message": "Insufficient balance"}), S.FAILED,
     F.INSUFFICIENT_FUNDS),
    (Reply(400, fixture("mno_checkout__invalid_account_number")), S.FAILED, F.INVALID_PHONE),
    (Reply(400, {**fixture("mno_checkout__invalid_account_number"), "errors": {"amount": ["x"]}}), S.FAILED,
     F.PROVIDER_DECLINED),
    (Reply(503, fixture("mno_checkout__service_unavailable")), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(500, {"data": None, "message": "boom", "success": False, "statusCode": 500}), S.UNKNOWN, None),
    (Reply(403, {"data": None, "message": "Invalid API key", "success": False, "statusCode": 403}), S.FAILED,
     F.CONFIGURATION_ERROR),
    (Reply(401, fixture("error__unauthorized")), S.FAILED, F.CONFIGURATION_ERROR),  # refused again after the retry
    (Reply(503, b"<html>Service Unavailable</html>"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(504, b"<html>Gateway Timeout</html>"), S.UNKNOWN, None),
    (Reply(200, b"<html>a captive portal</html>"), S.UNKNOWN, None),
    (Reply(404, b""), S.FAILED, F.CONFIGURATION_ERROR),
])
def test_refusals_map_through_the_tables(azampay, reply, status, failure_code):
    azampay.script(MNO_PATH, reply)
    result = connector(azampay.credentials()).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == REFERENCE
    assert result.gateway_status == f"HTTP {reply.status}"


def test_refused_credentials_fail_as_configuration_without_sending(azampay):
    azampay.script(TOKEN_PATH, Reply(423, fixture("token__invalid_credentials")))
    result = connector(azampay.credentials()).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, F.CONFIGURATION_ERROR,
                                                                           "HTTP 423")
    assert azampay.requests_to(MNO_PATH) == []


def test_unusable_credentials_fail_as_configuration_without_a_request(azampay):
    result = connector(azampay.credentials(api_key="", app_name="")).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "api_key" in result.gateway_message and "app_name" in result.gateway_message
    assert azampay.received == []


def test_a_live_account_never_reaches_a_loopback_host(azampay):
    result = connector(azampay.credentials(), mode="live").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "live" in result.gateway_message
    assert azampay.received == []


def test_secrets_never_reach_logs_results_or_reprs(azampay, caplog):
    caplog.set_level(logging.DEBUG)
    azampay_connector = connector(azampay.credentials())
    results = [azampay_connector.charge(charge_request())]
    azampay.script(MNO_PATH, Reply(401, fixture("error__unauthorized")))
    results.append(azampay_connector.charge(charge_request()))
    azampay.script(TOKEN_PATH, Reply(423, fixture("token__invalid_credentials")))
    results.append(azampay_connector.charge(charge_request()))
    results.append(connector(azampay.credentials(client_secret="bad secret")).charge(charge_request()))
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(azampay_connector.account)
    for secret in ("sim_secret", "sim_api_key", "bad secret", "stub-token-1", "stub-token-2", "255754123456"):
        assert secret not in seen


# -- charge_sync ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("transaction_status__success")), S.SUCCEEDED, None),
    (Reply(200, fixture("transaction_status__pending")), S.PROCESSING, None),
    (Reply(200, fixture("transaction_status__failure_insufficient_balance")), S.FAILED, F.INSUFFICIENT_FUNDS),
    (Reply(200, {**fixture("transaction_status__success"), "data": "failure", "message": "Transaction cancelled by "
                 "user"}), S.CANCELLED, F.CUSTOMER_CANCELLED),
    (Reply(200, {**fixture("transaction_status__success"), "data": "reversed"}), S.UNKNOWN, None),
    (Reply(404, fixture("transaction_status__not_found")), S.UNKNOWN, None),
    (Reply(200, {**fixture("transaction_status__success"), "success": False}), S.UNKNOWN, None),
    (Reply(400, fixture("mno_checkout__invalid_account_number")), S.UNKNOWN, None),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_sync_classifies_the_status_query(azampay, reply, status, failure_code):
    azampay.script(STATUS_PATH, reply)
    result = connector(azampay.credentials(), timeout_seconds=0.3).charge_sync(
        sync_request(state={"provider": "Tigo", "transaction_id": TX}))
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == REFERENCE
    assert azampay.requests_to(STATUS_PATH)[0].query == {"pgReferenceId": [TX], "bankName": ["Tigo"],
                                                          "externalId": [REFERENCE]}


def test_sync_after_a_lost_answer_asks_by_our_external_id(azampay):
    connector(azampay.credentials()).charge_sync(sync_request(reference=None, state={}))
    # No state at all (the result was never stored): the reference and the provider are derived again.
    assert azampay.requests_to(STATUS_PATH)[0].query == {"pgReferenceId": [REFERENCE], "bankName": ["Mpesa"],
                                                          "externalId": [REFERENCE]}


def test_sync_without_any_way_to_tell_the_provider_stays_unknown(azampay):
    result = connector(azampay.credentials()).charge_sync(sync_request(state={}, phone="+255664123456"))
    assert result.status is S.UNKNOWN
    assert azampay.received == []


def test_sync_when_azampay_is_unreachable_is_unknown(azampay):
    result = connector(azampay.credentials(disbursement_base_url=closed_port_url())).charge_sync(
        sync_request(state={"provider": "Mpesa"}))
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)


def test_webhook_methods_delegate():
    assert unused().webhook_ack(True).status_code == 200
    assert unused().webhook_ack(False).status_code == 400
