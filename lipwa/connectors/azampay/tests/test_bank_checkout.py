"""Bank checkout (PROVIDERS.md 4.4) against a scripted AzamPay: validation, the wire body, the results."""

from __future__ import annotations

import pytest

from lipwa.connectors.azampay.mapping import external_id
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import BANK_PATH, MNO_PATH, STATUS_PATH, Reply, fixture
from .test_connector import ATTEMPT, CALLBACK_URL, charge_request, connector, sync_request

S, F = ResultStatus, FailureCode


def bank_checkout(stub, request=None, bank="crdb", account_number="0150123456789", otp="123456"):
    return connector(stub.credentials()).bank_checkout(request or charge_request(customer_name="Asha Juma"),
                                                       bank=bank, account_number=account_number, otp=otp)


def test_bank_checkout_sends_the_documented_body_and_is_processing(azampay):
    result = bank_checkout(azampay)
    assert result.status is S.PROCESSING
    assert result.gateway_reference == external_id("charge", ATTEMPT)
    assert result.connector_state == {"provider": "CRDB", "kind": "bank",
                                      "transaction_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
    assert azampay.requests_to(BANK_PATH)[0].json() == {
        "amount": "1000", "currencyCode": "TZS", "merchantAccountNumber": "0150123456789",
        "merchantMobileNumber": "255754123456", "merchantName": "Asha Juma", "otp": "123456", "provider": "CRDB",
        "referenceId": external_id("charge", ATTEMPT), "callbackUrl": CALLBACK_URL,
        "additionalProperties": {"payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW", "merchant_reference": "INV-2024-7"}}
    assert azampay.requests_to(MNO_PATH) == []


def test_a_nameless_customer_is_sent_as_null(azampay):
    bank_checkout(azampay, request=charge_request())
    assert azampay.requests_to(BANK_PATH)[0].json()["merchantName"] is None


@pytest.mark.parametrize("kwargs, request_fields, param, code", [
    ({"bank": "Stanbic"}, {}, "bank", "bank_not_supported"),
    ({"account_number": "12-34"}, {}, "account_number", "invalid_account_number"),
    ({"account_number": "123"}, {}, "account_number", "invalid_account_number"),
    ({"otp": ""}, {}, "otp", "invalid_otp"),
    ({"otp": "12ab"}, {}, "otp", "invalid_otp"),
    ({}, {"amount_minor": 100_050}, "amount", "amount_precision"),
    ({}, {"phone": None}, "phone", "phone_required"),
])
def test_bank_checkout_refuses_before_sending(azampay, kwargs, request_fields, param, code):
    with pytest.raises(ConnectorInputError) as excinfo:
        bank_checkout(azampay, request=charge_request(**request_fields), **kwargs)
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert azampay.received == []


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, {"success": False, "transactionId": None, "message": "Invalid OTP"}), S.FAILED, F.WRONG_PIN),
    (Reply(503, fixture("mno_checkout__service_unavailable")), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_bank_checkout_results(azampay, reply, status, failure_code):
    azampay.script(BANK_PATH, reply)
    result = connector(azampay.credentials(), timeout_seconds=0.3).bank_checkout(
        charge_request(), bank="NMB", account_number="20110012345", otp="4321")
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == external_id("charge", ATTEMPT)


def test_a_bank_checkout_is_queried_with_the_bank_as_bank_name(azampay):
    state = bank_checkout(azampay).connector_state
    connector(azampay.credentials()).charge_sync(sync_request(state=dict(state)))
    query = azampay.requests_to(STATUS_PATH)[0].query
    assert query["bankName"] == ["CRDB"]
    assert query["pgReferenceId"] == ["0f1e2d3c4b5a69788796a5b4c3d2e1f0"]
