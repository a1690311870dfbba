"""Refund, payout, payout status and name lookup, called on the connector directly against the simulator over
the live server (the payments core does not call these flows yet)."""

from __future__ import annotations

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.airtel.operations import payout_transaction_id
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.registry import connector_class
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    OperationSyncRequest,
    PayoutRequest,
    RefundRequest,
    ResultStatus,
    SyncRequest,
)

pytestmark = pytest.mark.django_db(transaction=True)
S, F = ResultStatus, FailureCode


@pytest.fixture
def make_connector(lipwa_server):
    def make(timeout_seconds: float = 5.0, **overrides: str):
        cls = connector_class("airtel")
        credentials = cls.simulator_credentials(f"{lipwa_server.url}/simulators/airtel") | overrides
        # No callback URL: these flows are checked by their answers and enquiries, not by callbacks.
        return cls(AccountContext(account_id="ca_ops", connector="airtel", mode="test", credentials=credentials,
                                  callback_url="", timeout_seconds=timeout_seconds))
    return make


def paid_charge(airtel, attempt_id: str = "att_refund", phone: str = "+256752123000"):
    request = ChargeRequest(attempt_id=attempt_id, payment_id="pay_1", amount=Money(5000, "UGX"),
                            phone=parse_phone(phone))
    charged = airtel.charge(request)
    synced = airtel.charge_sync(SyncRequest(attempt_id=attempt_id, gateway_reference=charged.gateway_reference,
                                            amount=request.amount, phone=request.phone,
                                            connector_state=charged.connector_state))
    assert synced.status is S.SUCCEEDED, synced
    return charged, synced


def refund_request(charged, synced, **fields) -> RefundRequest:
    values = {"refund_id": "re_1", "payment_id": "pay_1", "charge_reference": charged.gateway_reference,
              "amount": Money(5000, "UGX"), "receipt_number": synced.receipt_number,
              "charge_state": {**charged.connector_state, **synced.connector_state}} | fields
    return RefundRequest(**values)


# -- refunds -----------------------------------------------------------------------------------------------


def test_refund_of_a_paid_charge_is_accepted_but_unknown(make_connector):
    airtel = make_connector()
    charged, synced = paid_charge(airtel)
    result = airtel.refund(refund_request(charged, synced))
    # The simulator answers the documented sample: "SUCCESS" next to success: false (§3.7).
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)
    assert result.gateway_reference.startswith("RF") and result.gateway_reference != synced.receipt_number
    assert result.connector_state["charge_airtel_money_id"] == synced.receipt_number
    again = airtel.refund(refund_request(charged, synced, refund_id="re_2"))
    assert (again.status, again.failure_code, again.gateway_status) == (S.FAILED, F.PROVIDER_DECLINED,
                                                                        "DP00800001009")


@pytest.mark.parametrize("signing", ["enabled", "disabled"])
def test_refund_of_an_unknown_id_is_unknown_not_failed(make_connector, signing):
    airtel = make_connector(message_signing=signing)
    charged, synced = paid_charge(airtel)
    result = airtel.refund(refund_request(charged, synced, receipt_number="MP000000.0000.X00000"))
    assert (result.status, result.gateway_status) == (S.UNKNOWN, "DP00800001025")


def test_refunds_need_airtel_s_id_and_the_whole_amount(make_connector):
    airtel = make_connector()
    charged, synced = paid_charge(airtel)
    with pytest.raises(ConnectorInputError) as excinfo:
        airtel.refund(refund_request(charged, synced, receipt_number=None, charge_state={}))
    assert excinfo.value.code == "receipt_missing"
    with pytest.raises(ConnectorInputError) as excinfo:
        airtel.refund(refund_request(charged, synced, amount=Money(1000, "UGX")))
    assert (excinfo.value.param, excinfo.value.code) == ("amount", "partial_refund_not_supported")


# -- payouts -----------------------------------------------------------------------------------------------


def payout_request(suffix: str = "000", **fields) -> PayoutRequest:
    values = {"payout_id": f"po_{suffix}", "amount": Money(2500, "UGX"), "phone": parse_phone(f"+256752123{suffix}"),
              "recipient_name": "Chris Mwanje", "description": "Refund for order 7"} | fields
    return PayoutRequest(**values)


def sync_of(result, payout_id: str) -> OperationSyncRequest:
    return OperationSyncRequest(operation_id=payout_id, gateway_reference=result.gateway_reference,
                                amount=Money(2500, "UGX"), connector_state=result.connector_state)


def test_payout_succeeds_and_its_enquiry_agrees(make_connector):
    airtel = make_connector()
    result = airtel.payout(payout_request())
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, payout_transaction_id("po_000"))
    assert result.connector_state["country"] == "UG" and result.connector_state["airtel_money_id"]
    assert airtel.payout_sync(sync_of(result, "po_000")).status is S.SUCCEEDED


@pytest.mark.parametrize("suffix, status, failure_code", [
    ("001", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("009", S.FAILED, F.PROVIDER_DECLINED),
    ("006", S.FAILED, F.PROVIDER_UNAVAILABLE),
])
def test_payout_declines(make_connector, suffix, status, failure_code):
    result = make_connector().payout(payout_request(suffix))
    assert (result.status, result.failure_code) == (status, failure_code)


def test_an_ambiguous_payout_is_resolved_by_its_enquiry(make_connector):
    airtel = make_connector()
    result = airtel.payout(payout_request("004"))
    assert (result.status, result.gateway_status) == (S.UNKNOWN, "TA/DP00900001000")
    assert airtel.payout_sync(sync_of(result, "po_004")).status is S.SUCCEEDED


def test_a_payout_that_times_out_is_unknown_then_enquired(make_connector, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    airtel = make_connector(timeout_seconds=0.3)
    result = airtel.payout(payout_request("007"))
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, payout_transaction_id("po_007"))
    synced = make_connector().payout_sync(OperationSyncRequest(
        operation_id="po_007", gateway_reference=None, amount=Money(2500, "UGX")))  # UGX: the country is implied
    assert synced.status is S.SUCCEEDED


def test_a_payout_never_sent_is_unknown_at_its_enquiry(make_connector):
    synced = make_connector().payout_sync(OperationSyncRequest(
        operation_id="po_never", gateway_reference=None, amount=Money(2500, "UGX")))
    assert (synced.status, synced.gateway_status) == (S.UNKNOWN, "DP00900001015")


@pytest.mark.parametrize("pin, words", [("", "need the disbursement wallet's PIN"), ("9999", "Invalid PIN")])
def test_payout_pin_problems_are_configuration_errors(make_connector, pin, words):
    result = make_connector(pin=pin).payout(payout_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert words in result.gateway_message


def test_payout_validation(make_connector):
    with pytest.raises(ConnectorInputError) as excinfo:
        make_connector().payout(payout_request(amount=Money(2500, "KES")))
    assert excinfo.value.code == "currency_not_supported"


def test_payout_sync_of_a_shared_currency_needs_the_country(make_connector):
    synced = make_connector().payout_sync(OperationSyncRequest(
        operation_id="po_x", gateway_reference=None, amount=Money(2500, "XAF")))
    assert synced.status is S.UNKNOWN and "country" in synced.gateway_message


# -- name lookup -------------------------------------------------------------------------------------------


def test_account_holder_lookup(make_connector):
    airtel = make_connector()
    found = airtel.account_holder_lookup("+256752123000")
    assert (found.found, found.name) == (True, "Sim Customer 000")
    missing = airtel.account_holder_lookup("+256752123404", network="airtel")
    assert (missing.found, missing.name) == (False, "")


@pytest.mark.parametrize("value, network, code", [("not a phone", None, "invalid_phone"),
                                                  ("+233241234567", None, "country_not_supported"),
                                                  ("+256752123000", "mtn", "network_not_supported")])
def test_account_holder_lookup_refuses(make_connector, value, network, code):
    with pytest.raises(ConnectorInputError) as excinfo:
        make_connector().account_holder_lookup(value, network)
    assert excinfo.value.code == code


def test_account_holder_lookup_with_refused_credentials_is_a_configuration_error(make_connector):
    with pytest.raises(ConnectorConfigError, match="refused the client id and secret"):
        make_connector(client_secret="wrong").account_holder_lookup("+256752123000")
