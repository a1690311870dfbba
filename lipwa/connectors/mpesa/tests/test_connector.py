"""The connector's flows against a scripted Daraja on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery (lipwa/connectors/testing/contract.py) covers the same flows end to end
through the core; these tests pin one wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.mpesa.connector import MpesaConnector, account_reference, prompt_text, transaction_desc
from lipwa.connectors.mpesa.credentials import SANDBOX_PASSKEY, credentials_validate
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, ResultStatus, SyncRequest

from .stub import PUSH_PATH, QUERY_PATH, TOKEN_PATH, Reply, closed_port_url, fixture

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.co.ke/hooks/daraja/ca_test/tok3n/"
CHECKOUT_ID = "ws_CO_1007202409152617172396192"


def connector(base_url: str, *, timeout_seconds: float = 5.0, callback_url: str = CALLBACK_URL,
              **credential_overrides: str) -> MpesaConnector:
    credentials = MpesaConnector.simulator_credentials(base_url) | credential_overrides
    return MpesaConnector(AccountContext(account_id="ca_test", connector="mpesa", mode="test",
                                         credentials=credentials, callback_url=callback_url,
                                         timeout_seconds=timeout_seconds))


def charge_request(amount_minor: int = 10_000, currency: str = "KES", phone: str | None = "+254708374149",
                   **fields) -> ChargeRequest:
    defaults = {"attempt_id": "att_01TEST", "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-2024-7", "description": "Clinic visit"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone, "KE") if phone else None,
                         **(defaults | fields))


def sync_request(reference: str | None = CHECKOUT_ID) -> SyncRequest:
    return SyncRequest(attempt_id="att_01TEST", gateway_reference=reference, amount=Money(10_000, "KES"),
                       phone=parse_phone("+254708374149"))


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (MpesaConnector.id, MpesaConnector.callback_slug) == ("mpesa", "daraja")
    assert "mpesa" not in MpesaConnector.callback_slug
    assert MpesaConnector.methods == {"mobile_money"}
    assert (MpesaConnector.currencies, MpesaConnector.countries) == ({"KES"}, {"KE"})
    assert MpesaConnector.default_expires_in_seconds == 900
    assert {f.name for f in MpesaConnector.credential_fields if f.secret} == {"consumer_secret", "passkey"}


def test_simulator_credentials_are_valid_and_the_public_sandbox_ones():
    credentials = MpesaConnector.simulator_credentials("http://127.0.0.1:8000/simulators/mpesa")
    assert credentials_validate(credentials) == {}
    assert credentials == {"base_url": "http://127.0.0.1:8000/simulators/mpesa", "consumer_key": "sim_key",
                           "consumer_secret": "sim_secret", "shortcode": "174379", "passkey": SANDBOX_PASSKEY,
                           "transaction_type": "CustomerPayBillOnline"}


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_fields, param, code, words", [
    ({"currency": "USD"}, "currency", "currency_not_supported", "KES only"),
    ({"amount_minor": 150}, "amount", "amount_precision", "whole shillings"),
    ({"amount_minor": 10_001}, "amount", "amount_precision", "KES 100.01"),
    ({"amount_minor": 0}, "amount", "amount_too_small", "minimum of KES 1"),
    ({"amount_minor": -100}, "amount", "amount_too_small", "minimum of KES 1"),
    ({"amount_minor": 25_000_100}, "amount", "amount_too_large", "maximum of KES 250,000"),
    ({"phone": None}, "phone", "phone_required", "phone is required"),
    ({"phone": "+256772123456"}, "phone", "invalid_phone", "Kenyan mobile number"),
    ({"phone": "+254202345678"}, "phone", "invalid_phone", "Kenyan mobile number"),  # a Nairobi landline
])
def test_validate_charge_refuses(request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


def test_refused_phones_are_masked_in_the_message():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(phone="+256772123456"))
    assert "256772123456" not in excinfo.value.message
    assert "2567*****456" in excinfo.value.message


@pytest.mark.parametrize("amount_minor, phone", [(100, "+254708374149"), (25_000_000, "+254110123456"),
                                                 (123_400, "0712 345 678")])
def test_validate_charge_accepts(amount_minor, phone):
    connector("http://unused").validate_charge(charge_request(amount_minor, phone=phone))


def test_charge_never_sends_what_validation_refuses(daraja):
    with pytest.raises(ConnectorInputError):
        connector(daraja.base_url).charge(charge_request(150))
    assert daraja.received == []


# -- charge ---------------------------------------------------------------------------------------------


def test_accepted_push_is_processing_with_the_checkout_request_id(daraja):
    result = connector(daraja.base_url).charge(charge_request(12_300))
    assert result.status is S.PROCESSING
    assert result.gateway_reference == CHECKOUT_ID
    assert result.connector_state == {"merchant_request_id": "2654-4b64-97ff-b827b542881d3130"}
    assert result.gateway_status == "0"
    body = daraja.requests_to(PUSH_PATH)[0].json()
    assert (body["Amount"], body["PartyA"], body["PhoneNumber"]) == (123, "254708374149", "254708374149")
    assert (body["AccountReference"], body["TransactionDesc"]) == ("INV-2024-7", "Clinic visit")
    assert body["CallBackURL"] == CALLBACK_URL


def test_a_timeout_is_unknown_without_a_reference(daraja):
    daraja.script(PUSH_PATH, Reply(hang=True))
    result = connector(daraja.base_url, timeout_seconds=0.3).charge(charge_request())
    assert result.status is S.UNKNOWN
    assert result.gateway_reference is None
    assert result.failure_code is None


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


@pytest.mark.parametrize("fixture_name, http_status, status, failure_code", [
    ("stk_push__invalid_shortcode", 400, S.FAILED, F.CONFIGURATION_ERROR),
    ("stk_push__invalid_phone_number", 400, S.FAILED, F.INVALID_PHONE),
    ("stk_push__subscriber_locked", 500, S.FAILED, F.DUPLICATE_REQUEST),
    ("stk_push__wrong_credentials", 500, S.FAILED, F.CONFIGURATION_ERROR),
    ("stk_push__system_busy", 503, S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("stk_push__internal_server_error", 500, S.UNKNOWN, None),
    ("error__invalid_access_token", 404, S.FAILED, F.CONFIGURATION_ERROR),  # refused again after the retry
])
def test_error_envelopes_map_through_the_table(daraja, fixture_name, http_status, status, failure_code):
    envelope = fixture(fixture_name)
    daraja.script(PUSH_PATH, Reply(http_status, envelope))
    result = connector(daraja.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    assert (result.gateway_status, result.gateway_message) == (envelope["errorCode"], envelope["errorMessage"])
    assert result.gateway_reference is None


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(503, b"<html>Service Unavailable</html>"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(429, b"slow down"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(504, b"<html>Gateway Timeout</html>"), S.UNKNOWN, None),
    (Reply(200, b"<html>a captive portal</html>"), S.UNKNOWN, None),
])
def test_answers_without_an_envelope(daraja, reply, status, failure_code):
    daraja.script(PUSH_PATH, reply)
    result = connector(daraja.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_status == f"HTTP {reply.status}"


def test_an_accepted_push_with_a_non_zero_response_code_keeps_the_reference_and_stays_unknown(daraja):
    daraja.script(PUSH_PATH, Reply(200, {**fixture("stk_push__accepted"), "ResponseCode": "1"}))
    result = connector(daraja.base_url).charge(charge_request())
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, CHECKOUT_ID)


def test_refused_consumer_keys_fail_as_configuration_without_sending(daraja):
    daraja.script(TOKEN_PATH, Reply(400, {"errorCode": "400.008.01", "errorMessage": "Invalid Authentication"}))
    result = connector(daraja.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (
        S.FAILED, F.CONFIGURATION_ERROR, "400.008.01")
    assert daraja.requests_to(PUSH_PATH) == []


def test_unusable_credentials_fail_as_configuration_without_a_request(daraja):
    result = connector(daraja.base_url, passkey="", shortcode="12").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "passkey" in result.gateway_message and "shortcode" in result.gateway_message
    assert daraja.received == []


def test_secrets_never_reach_logs_results_or_reprs(daraja, caplog):
    caplog.set_level(logging.DEBUG)
    mpesa = connector(daraja.base_url)
    results = [mpesa.charge(charge_request())]
    daraja.script(PUSH_PATH, Reply(404, fixture("error__invalid_access_token")))
    results.append(mpesa.charge(charge_request()))
    daraja.script(TOKEN_PATH, Reply(400, {"errorCode": "400.008.01", "errorMessage": "Invalid Authentication"}))
    results.append(mpesa.charge(charge_request()))
    results.append(connector(daraja.base_url, passkey="bad passkey").charge(charge_request()))
    password = daraja.requests_to(PUSH_PATH)[0].json()["Password"]
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(mpesa.account)
    for secret in ("sim_secret", SANDBOX_PASSKEY, "bad passkey", password, "stub-token-1", "stub-token-2",
                   "254708374149"):
        assert secret not in seen


def test_a_callback_url_daraja_would_block_is_logged(daraja, caplog):
    mpesa = connector(daraja.base_url, callback_url="https://pay.example/hooks/mpesa/ca_test/tok/")
    assert mpesa.charge(charge_request()).status is S.PROCESSING, "a warning, not a refusal"
    assert "'mpesa'" in caplog.text and "Daraja blocks" in caplog.text


# -- what the prompt shows ------------------------------------------------------------------------------


TAIL = "Q7R8S9T0VW"  # stands for the payment id's last 12 characters


@pytest.mark.parametrize("merchant_reference, description, reference, desc", [
    ("INV-2024-000123", "Consultation fee", "INV-2024-000", "Consultation"),
    ("Café № 7 ☕", "Dépôt", "Cafe No 7", "Depot"),
    ("ORDER-7", "", "ORDER-7", "ORDER-7"),
    ("", "", TAIL, TAIL),
    ("✓✓✓", "   ", TAIL, TAIL),
])
def test_prompt_fields_are_bounded_and_plain(merchant_reference, description, reference, desc):
    request = charge_request(merchant_reference=merchant_reference, description=description)
    tail = request.payment_id[-12:]
    assert account_reference(request) == reference.replace(TAIL, tail)
    assert transaction_desc(request) == desc.replace(TAIL, tail)


def test_prompt_text_never_ends_in_a_space():
    assert prompt_text("Order  number one", 6) == "Order"


# -- charge_sync ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("stk_query__succeeded")), S.SUCCEEDED, None),
    (Reply(200, fixture("stk_query__cancelled")), S.CANCELLED, F.CUSTOMER_CANCELLED),
    (Reply(200, {**fixture("stk_query__succeeded"), "ResultCode": "1037"}), S.EXPIRED, F.CUSTOMER_TIMEOUT),
    (Reply(500, fixture("stk_query__being_processed")), S.PROCESSING, None),
    (Reply(200, {**fixture("stk_query__succeeded"), "ResultCode": "4242"}), S.UNKNOWN, None),
    (Reply(400, fixture("stk_push__invalid_shortcode")), S.UNKNOWN, None),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_sync_classifies_the_query(daraja, reply, status, failure_code):
    reference = fixture("stk_query__succeeded")["CheckoutRequestID"]
    daraja.script(QUERY_PATH, reply)
    result = connector(daraja.base_url, timeout_seconds=0.3).charge_sync(sync_request(reference))
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == reference
    assert daraja.requests_to(QUERY_PATH)[0].json()["CheckoutRequestID"] == reference


def test_sync_succeeded_keeps_the_merchant_request_id(daraja):
    reference = fixture("stk_query__succeeded")["CheckoutRequestID"]
    result = connector(daraja.base_url).charge_sync(sync_request(reference))
    assert result.connector_state == {"merchant_request_id": "22205-34066-1"}
    assert (result.gateway_status, result.receipt_number, result.amount) == ("0", None, None)


def test_sync_without_a_reference_asks_nothing_and_stays_unknown(daraja):
    result = connector(daraja.base_url).charge_sync(sync_request(None))
    assert result.status is S.UNKNOWN
    assert daraja.received == []


def test_an_answer_about_another_request_never_settles_this_one(daraja):
    result = connector(daraja.base_url).charge_sync(sync_request("ws_CO_somebody_else"))
    assert result.status is S.UNKNOWN


def test_sync_when_daraja_is_unreachable_is_unknown():
    result = connector(closed_port_url()).charge_sync(sync_request())
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)


def test_webhook_methods_delegate():
    mpesa = connector("http://unused")
    assert mpesa.webhook_ack(True).status_code == 200
    assert mpesa.webhook_ack(False).status_code == 400
