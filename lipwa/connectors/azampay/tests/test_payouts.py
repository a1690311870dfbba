"""Disbursements, their status and name lookup (PROVIDERS.md 4.7) against a scripted AzamPay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable
from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.azampay.mapping import external_id
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import FailureCode, OperationSyncRequest, PayoutRequest, ResultStatus

from .stub import DISBURSE_PATH, LOOKUP_PATH, STATUS_PATH, TOKEN_PATH, Reply, closed_port_url, fixture
from .test_connector import connector

S, F = ResultStatus, FailureCode
PAYOUT = "po_01TEST"
REFERENCE = external_id("payout", PAYOUT)


def payout_request(phone: str = "+255714123456", amount_minor: int = 500_000, **fields) -> PayoutRequest:
    return PayoutRequest(payout_id=PAYOUT, amount=Money(amount_minor, "TZS"), phone=parse_phone(phone), **fields)


def test_payout_sends_source_destination_and_our_reference(azampay):
    clock.freeze(datetime(2024, 6, 1, 9, 30, tzinfo=UTC))
    result = connector(azampay.credentials()).payout(payout_request(recipient_name="Neema Mushi",
                                                                    description="Refund for INV-7"))
    assert (result.status, result.gateway_reference, result.gateway_status) == (S.PROCESSING, REFERENCE, "pending")
    assert result.connector_state == {"provider": "Tigo"}
    assert azampay.requests_to(DISBURSE_PATH)[0].json() == {
        "source": {"countryCode": "TZ", "fullName": "Lipwa Demo", "bankName": "Azampesa",
                   "accountNumber": "255700000000", "currency": "TZS"},
        "destination": {"countryCode": "TZ", "fullName": "Neema Mushi", "bankName": "Tigo",
                        "accountNumber": "255714123456", "currency": "TZS"},
        "transferDetails": {"type": "INTERNAL", "amount": "5000", "date": "2024-06-01T09:30:00Z"},
        "externalReferenceId": REFERENCE, "remarks": "Refund for INV-7"}


def test_payout_to_a_named_wallet(azampay):
    connector(azampay.credentials()).payout(payout_request(network="azampesa"))
    assert azampay.requests_to(DISBURSE_PATH)[0].json()["destination"]["bankName"] == "Azampesa"


@pytest.mark.parametrize("request_fields, param, code", [
    ({"amount_minor": 500_050}, "amount", "amount_precision"),
    ({"phone": "+254712345678"}, "phone", "invalid_phone"),
    ({"phone": "+255664123456"}, "phone", "network_unknown"),
])
def test_payout_refuses_before_sending(azampay, request_fields, param, code):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector(azampay.credentials()).payout(payout_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert azampay.received == []


def test_payout_without_a_source_is_a_configuration_error(azampay):
    credentials = azampay.credentials(payout_source_name="", payout_source_bank="", payout_source_account="")
    result = connector(credentials).payout(payout_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert azampay.requests_to(DISBURSE_PATH) == []


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, {**fixture("disburse__accepted"), "data": "success"}), S.SUCCEEDED, None),
    (Reply(200, {"data": None, "message": "Insufficient balance", "success": False, "statusCode": 200}), S.FAILED,
     F.INSUFFICIENT_FUNDS),
    (Reply(400, {"data": None, "message": "Duplicate externalReferenceId", "success": False, "statusCode": 400}),
     S.FAILED, F.PROVIDER_DECLINED),
    (Reply(503, fixture("mno_checkout__service_unavailable")), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(502, b"bad gateway"), S.UNKNOWN, None),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_payout_results(azampay, reply, status, failure_code):
    azampay.script(DISBURSE_PATH, reply)
    result = connector(azampay.credentials(), timeout_seconds=0.3).payout(payout_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == REFERENCE


def test_payout_with_refused_credentials(azampay):
    azampay.script(TOKEN_PATH, Reply(423, fixture("token__invalid_credentials")))
    result = connector(azampay.credentials()).payout(payout_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("transaction_status__success")), S.SUCCEEDED, None),
    (Reply(200, fixture("transaction_status__pending")), S.PROCESSING, None),
    (Reply(200, {**fixture("transaction_status__success"), "data": "failure", "message": "Transaction declined"}),
     S.FAILED, F.PROVIDER_DECLINED),
    (Reply(404, fixture("transaction_status__not_found")), S.UNKNOWN, None),
])
def test_payout_sync(azampay, reply, status, failure_code):
    azampay.script(STATUS_PATH, reply)
    result = connector(azampay.credentials()).payout_sync(OperationSyncRequest(
        operation_id=PAYOUT, gateway_reference=REFERENCE, amount=Money(500_000, "TZS"),
        connector_state={"provider": "Tigo"}))
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, REFERENCE)
    assert azampay.requests_to(STATUS_PATH)[0].query == {"pgReferenceId": [REFERENCE], "bankName": ["Tigo"],
                                                          "externalId": [REFERENCE]}


def test_payout_sync_without_the_provider_asks_nothing(azampay):
    result = connector(azampay.credentials()).payout_sync(OperationSyncRequest(
        operation_id=PAYOUT, gateway_reference=None, amount=Money(500_000, "TZS")))
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, REFERENCE)
    assert azampay.received == []


# -- name lookup ------------------------------------------------------------------------------------------


def test_lookup_of_a_wallet(azampay):
    holder = connector(azampay.credentials()).account_holder_lookup("0714 123 456")
    assert (holder.found, holder.name) == (True, "Juma Hamisi")
    assert azampay.requests_to(LOOKUP_PATH)[0].json() == {"bankName": "Tigo", "accountNumber": "255714123456"}


def test_lookup_of_a_bank_account(azampay):
    connector(azampay.credentials()).account_holder_lookup("0150123456789", network="nmb")
    assert azampay.requests_to(LOOKUP_PATH)[0].json() == {"bankName": "NMB", "accountNumber": "0150123456789"}


def test_lookup_not_found(azampay):
    azampay.script(LOOKUP_PATH, Reply(200, fixture("name_lookup__not_found")))
    holder = connector(azampay.credentials()).account_holder_lookup("+255714123404", network="tigo")
    assert (holder.found, holder.name) == (False, "")
    assert holder.raw["message"] == "Account not found"


def test_a_refused_lookup_is_not_found(azampay):
    azampay.script(LOOKUP_PATH, Reply(400, fixture("mno_checkout__invalid_account_number")))
    assert connector(azampay.credentials()).account_holder_lookup("+255714123456").found is False


@pytest.mark.parametrize("value, network, param", [("not a phone", None, "phone"), ("+255664123456", None, "phone"),
                                                   ("12-34", "CRDB", "account_number")])
def test_lookup_refuses_bad_input(azampay, value, network, param):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector(azampay.credentials()).account_holder_lookup(value, network)
    assert excinfo.value.param == param


def test_a_lookup_with_refused_credentials_raises(azampay):
    azampay.script(TOKEN_PATH, Reply(423, fixture("token__invalid_credentials")))
    with pytest.raises(ConnectorConfigError):
        connector(azampay.credentials()).account_holder_lookup("+255714123456")


def test_a_lookup_that_cannot_reach_azampay_raises(azampay):
    with pytest.raises(GatewayUnreachable):
        connector(azampay.credentials(disbursement_base_url=closed_port_url())).account_holder_lookup(
            "+255714123456")
