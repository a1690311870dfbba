"""The connector's flows against a scripted MTN on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery covers the same flows end to end through the core; these tests pin one wire
answer → one result at a time.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.mtn_momo.connector import MtnMomoConnector, note_text, payee_note, payer_message
from lipwa.connectors.mtn_momo.credentials import credentials_validate
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, ResultStatus, SyncRequest

from .stub import COLLECTION_TOKEN, RTP, RTP_STATUS, Reply, closed_port_url, fixture

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.ug/hooks/mtn_momo/ca_test/tok3n/"
# x_reference_id(kind, id), pinned in test_mapping.py.
REFERENCE = "4ac5bf4e-493c-4b33-8066-636342c9d027"  # requesttopay:att_01TEST


def connector(base_url: str, *, timeout_seconds: float = 5.0, **credential_overrides: str) -> MtnMomoConnector:
    credentials = MtnMomoConnector.simulator_credentials(base_url) | credential_overrides
    return MtnMomoConnector(AccountContext(account_id="ca_test", connector="mtn_momo", mode="test",
                                           credentials=credentials, callback_url=CALLBACK_URL,
                                           timeout_seconds=timeout_seconds))


def charge_request(amount_minor: int = 1000, currency: str = "UGX", phone: str | None = "+256772123456",
                   **fields) -> ChargeRequest:
    defaults = {"attempt_id": "att_01TEST", "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-2024-7", "description": "Clinic visit"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone, "UG") if phone else None,
                         **(defaults | fields))


def sync_request(reference: str | None = REFERENCE) -> SyncRequest:
    return SyncRequest(attempt_id="att_01TEST", gateway_reference=reference, amount=Money(1000, "UGX"),
                       phone=parse_phone("+256772123456"))


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (MtnMomoConnector.id, MtnMomoConnector.callback_slug) == ("mtn_momo", "mtn_momo")
    assert MtnMomoConnector.methods == {"mobile_money"}
    assert MtnMomoConnector.networks == {"mtn"}
    assert MtnMomoConnector.routing_priority == 10, "MTN's own gateway comes before aggregators"
    assert {"EUR", "UGX", "GHS", "RWF", "XAF", "XOF", "ZMW"} <= MtnMomoConnector.currencies
    assert {"UG", "GH", "RW", "CM", "CI", "BJ", "ZM"} <= MtnMomoConnector.countries
    assert MtnMomoConnector.default_expires_in_seconds == 600


def test_simulator_credentials_are_valid_and_charge_ugx():
    credentials = MtnMomoConnector.simulator_credentials("http://127.0.0.1:8000/simulators/mtn_momo")
    assert credentials_validate(credentials) == {}
    assert credentials == {"base_url": "http://127.0.0.1:8000/simulators/mtn_momo", "target_environment": "mtnuganda",
                           "subscription_key": "sim_subscription_key", "api_user": "sim_key", "api_key": "sim_secret"}


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("environment, request_fields, param, code, words", [
    ("sandbox", {"currency": "UGX"}, "currency", "currency_not_supported", "'sandbox' takes EUR, not UGX"),
    ("sandbox", {"currency": "UGX"}, "currency", "currency_not_supported", "settles in EUR only"),
    ("mtnuganda", {"currency": "EUR"}, "currency", "currency_not_supported", "'mtnuganda' takes UGX, not EUR"),
    ("mtnghana", {"currency": "UGX"}, "currency", "currency_not_supported", "takes GHS, not UGX"),
    ("mtnuganda", {"amount_minor": 0}, "amount", "amount_too_small", "minimum of 1"),
    ("mtnuganda", {"phone": None}, "phone", "phone_required", "phone is required"),
    ("mtnuganda", {"phone": "+233241234567"}, "phone", "invalid_phone", "serves UG numbers"),
    ("mtnuganda", {"network": "airtel"}, "phone", "network_not_supported", "MTN wallets only"),
])
def test_validate_charge_refuses(environment, request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused", target_environment=environment).validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


def test_refused_phones_are_masked_in_the_message():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(phone="+233241234567"))
    assert "233241234567" not in excinfo.value.message
    assert "2332*****567" in excinfo.value.message


@pytest.mark.parametrize("environment, amount_minor, currency, phone, network", [
    ("mtnuganda", 1000, "UGX", "0772 123 456", "mtn"),
    ("mtnuganda", 1, "UGX", "+256782123456", None),
    ("sandbox", 1050, "EUR", "+46733123450", None),  # the sandbox's own test numbers are Swedish (2.8)
    ("sandbox", 100, "EUR", "+256772123456", None),
    ("mtnghana", 150, "GHS", "+233241234567", None),
    ("mtnliberia", 500, "USD", "+231881234567", None),
])
def test_validate_charge_accepts(environment, amount_minor, currency, phone, network):
    momo = connector("http://unused", target_environment=environment)
    momo.validate_charge(charge_request(amount_minor, currency, phone, network=network))


def test_charge_never_sends_what_validation_refuses(momo):
    with pytest.raises(ConnectorInputError):
        connector(momo.base_url).charge(charge_request(currency="EUR"))
    assert momo.received == []


# -- charge ---------------------------------------------------------------------------------------------


def test_accepted_request_to_pay_is_processing_with_the_derived_reference(momo):
    result = connector(momo.base_url).charge(charge_request(25_000, description="Café visit: Dr O'Neil"))
    assert (result.status, result.failure_code, result.gateway_reference) == (S.PROCESSING, None, REFERENCE)
    request = momo.requests_to(RTP)[0]
    assert request.headers["x-reference-id"] == REFERENCE
    assert request.headers["x-callback-url"] == CALLBACK_URL
    assert request.headers["x-target-environment"] == "mtnuganda"
    assert request.json() == {"amount": "25000", "currency": "UGX", "externalId": "att_01TEST",
                              "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
                              "payerMessage": "Cafe visit Dr ONeil", "payeeNote": "INV-2024-7"}


def test_sandbox_charges_send_eur_with_decimals(momo):
    momo_connector = connector(momo.base_url, target_environment="sandbox")
    momo_connector.charge(charge_request(1050, "EUR", "+46733123450"))
    body = momo.requests_to(RTP)[0].json()
    assert (body["amount"], body["currency"], body["payer"]["partyId"]) == ("10.50", "EUR", "46733123450")
    assert momo.requests_to(RTP)[0].headers["x-target-environment"] == "sandbox"


def test_a_retry_of_the_same_attempt_sends_the_same_reference(momo):
    momo_connector = connector(momo.base_url)
    momo_connector.charge(charge_request())
    momo_connector.charge(charge_request())
    assert {r.headers["x-reference-id"] for r in momo.requests_to(RTP)} == {REFERENCE}


def test_a_timeout_is_unknown_and_still_names_the_reference(momo):
    momo.script(RTP, Reply(hang=True))
    result = connector(momo.base_url, timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (S.UNKNOWN, None, REFERENCE)


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


@pytest.mark.parametrize("reply, status, failure_code, gateway_status", [
    (Reply(400, None), S.FAILED, F.CONFIGURATION_ERROR, "HTTP 400"),
    (Reply(401, fixture("error__invalid_subscription_key")), S.FAILED, F.CONFIGURATION_ERROR, "HTTP 401"),
    (Reply(500, fixture("requesttopay__invalid_currency")), S.FAILED, F.CONFIGURATION_ERROR,
     "HTTP 500 INVALID_CURRENCY"),
    (Reply(500, fixture("requesttopay__invalid_callback_url_host")), S.FAILED, F.CONFIGURATION_ERROR,
     "HTTP 500 INVALID_CALLBACK_URL_HOST"),
    (Reply(500, fixture("requesttopay__not_allowed_target_environment")), S.FAILED, F.CONFIGURATION_ERROR,
     "HTTP 500 NOT_ALLOWED_TARGET_ENVIRONMENT"),
    (Reply(429, b"slow down"), S.FAILED, F.PROVIDER_UNAVAILABLE, "HTTP 429"),
    (Reply(502, b"<html>Bad gateway</html>"), S.UNKNOWN, None, "HTTP 502"),
    (Reply(200, b""), S.UNKNOWN, None, "HTTP 200"),
])
def test_refusals_and_odd_answers_map_through_the_table(momo, reply, status, failure_code, gateway_status):
    momo.script(RTP, reply)
    result = connector(momo.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (status, failure_code, gateway_status)
    assert result.gateway_reference == REFERENCE
    assert momo.requests_to(RTP_STATUS) == [], "a clear answer needs no status query"


@pytest.mark.parametrize("initiate", [
    Reply(503, fixture("requesttopay__service_unavailable")),
    Reply(500, fixture("requesttopay__internal_processing_error")),
    Reply(500, b"<html>oops</html>"),
])
def test_an_uncertain_error_then_404_means_nothing_was_created(momo, initiate):
    momo.script(RTP, initiate)
    momo.script(RTP_STATUS, Reply(404, fixture("requesttopay_status__not_found")))
    result = connector(momo.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)
    assert "nothing was created" in result.gateway_message
    assert momo.requests_to(RTP_STATUS)[0].path == f"{RTP}/{REFERENCE}"


@pytest.mark.parametrize("status_reply, status", [
    (Reply(200, fixture("requesttopay_status__pending")), S.PROCESSING),
    (Reply(200, fixture("requesttopay_status__successful")), S.SUCCEEDED),
    (Reply(500, b""), S.UNKNOWN),
    (Reply(hang=True), S.UNKNOWN),
])
def test_an_uncertain_error_is_settled_by_the_status(momo, status_reply, status):
    momo.script(RTP, Reply(503, fixture("requesttopay__service_unavailable")))
    momo.script(RTP_STATUS, status_reply)
    result = connector(momo.base_url, timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.gateway_reference) == (status, REFERENCE)


@pytest.mark.parametrize("status_reply, status", [
    (Reply(200, fixture("requesttopay_status__successful")), S.SUCCEEDED),
    (Reply(200, fixture("requesttopay_status__pending")), S.PROCESSING),
    (Reply(404, fixture("requesttopay_status__not_found")), S.UNKNOWN),  # contradicts the 409: ask again later
])
def test_a_duplicate_reference_is_answered_by_its_status(momo, status_reply, status):
    """409: we sent this attempt before (a retry after a lost answer); MTN's status is the answer (2.4)."""
    momo.script(RTP, Reply(409, fixture("requesttopay__duplicate_reference")))
    momo.script(RTP_STATUS, status_reply)
    result = connector(momo.base_url).charge(charge_request())
    assert (result.status, result.gateway_reference) == (status, REFERENCE)


def test_refused_api_keys_fail_as_configuration_without_sending(momo):
    momo.script(COLLECTION_TOKEN, Reply(401, fixture("token__login_failed")))
    result = connector(momo.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, F.CONFIGURATION_ERROR,
                                                                           "HTTP 401")
    assert momo.requests_to(RTP) == []


def test_unusable_credentials_fail_as_configuration_without_a_request(momo):
    result = connector(momo.base_url, api_key="", subscription_key="a b").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "api_key" in result.gateway_message and "subscription_key" in result.gateway_message
    assert momo.received == []


def test_an_unknown_target_environment_fails_as_configuration(momo):
    result = connector(momo.base_url, target_environment="mtnatlantis").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "target_environment" in result.gateway_message


def test_secrets_never_reach_logs_results_or_reprs(momo, caplog):
    caplog.set_level(logging.DEBUG)
    momo_connector = connector(momo.base_url, api_key="the-api-key", subscription_key="the-sub-key")
    results = [momo_connector.charge(charge_request())]
    momo.script(RTP, Reply(401, fixture("error__invalid_access_token")))
    results.append(momo_connector.charge(charge_request()))
    momo.script(COLLECTION_TOKEN, Reply(401, fixture("token__login_failed")))
    results.append(momo_connector.charge(charge_request()))
    results.append(connector(momo.base_url, api_key="bad key").charge(charge_request()))
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(momo_connector.account)
    for secret in ("the-api-key", "the-sub-key", "bad key", "stub-token-1", "stub-token-2", "256772123456"):
        assert secret not in seen


# -- what the payer sees ----------------------------------------------------------------------------------


def test_notes_are_plain_and_bounded():
    assert note_text("Dr O'Neil's café — №7") == "Dr ONeils cafe No7"
    assert len(note_text("x" * 500)) == 160
    request = charge_request(description="", merchant_reference="")
    assert payer_message(request) == "Payment pay_01HZX5V9K3M4N5P6Q7R8S9T0VW"
    assert payee_note(request) == "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW"


# -- charge_sync ----------------------------------------------------------------------------------------


def test_sync_succeeded_carries_receipt_amount_and_payer(momo):
    result = connector(momo.base_url).charge_sync(sync_request())
    assert (result.status, result.receipt_number, result.amount, result.payer) == (
        S.SUCCEEDED, "1927264368", Money(1000, "UGX"), "256772123456")
    assert result.gateway_status == "SUCCESSFUL"
    assert momo.requests_to(RTP_STATUS)[0].path == f"{RTP}/{REFERENCE}"


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("requesttopay_status__pending")), S.PROCESSING, None),
    (Reply(200, fixture("requesttopay_status__rejected_reason_object")), S.CANCELLED, F.CUSTOMER_CANCELLED),
    (Reply(200, {**fixture("requesttopay_status__pending"), "status": "FAILED", "reason": "EXPIRED"}),
     S.EXPIRED, F.CUSTOMER_TIMEOUT),
    (Reply(200, {**fixture("requesttopay_status__pending"), "status": "WHATEVER"}), S.UNKNOWN, None),
    (Reply(404, fixture("requesttopay_status__not_found")), S.UNKNOWN, None),
    (Reply(401, fixture("error__invalid_access_token")), S.UNKNOWN, None),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(200, b"<html>captive portal</html>"), S.UNKNOWN, None),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_sync_classifies_the_status(momo, reply, status, failure_code):
    momo.script(RTP_STATUS, reply)
    result = connector(momo.base_url, timeout_seconds=0.3).charge_sync(sync_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, REFERENCE)


def test_sync_without_a_recorded_reference_asks_for_the_derived_one(momo):
    result = connector(momo.base_url).charge_sync(sync_request(None))
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, REFERENCE)
    assert momo.requests_to(RTP_STATUS)[0].path == f"{RTP}/{REFERENCE}"


def test_an_answer_about_another_request_never_settles_this_one(momo):
    momo.script(RTP_STATUS, Reply(200, {**fixture("requesttopay_status__successful"), "externalId": "att_OTHER"}))
    assert connector(momo.base_url).charge_sync(sync_request()).status is S.UNKNOWN


def test_sync_when_mtn_is_unreachable_is_unknown():
    result = connector(closed_port_url()).charge_sync(sync_request())
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)
