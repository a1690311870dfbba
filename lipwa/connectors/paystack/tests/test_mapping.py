"""The status tables against PROVIDERS.md §6, row by row, and the wire shapes against the fixtures.

The expected values are written out here again, not read from mapping.py, so that a changed table row fails
a test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.connectors.paystack.mapping import (
    REFUND_STATUSES,
    TRANSACTION_STATUSES,
    ApiError,
    Authorization,
    InitializeData,
    Refund,
    Transaction,
    WireFormatError,
    charge_next_action,
    http_status_outcome,
    initiate_error_outcome,
    money_from_wire,
    parse_wire_amount,
    refund_error_outcome,
    refund_outcome,
    transaction_outcome,
    wire_amount,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import FIXTURES, REFERENCE, fixture

S, F = ResultStatus, FailureCode

# PROVIDERS.md 6.3 (verify) and 6.4 (Charge API), every row.
TRANSACTION_ROWS = [
    ("success", S.SUCCEEDED, None),
    ("failed", S.FAILED, F.PROVIDER_DECLINED),
    ("abandoned", S.PENDING, None),
    ("ongoing", S.PROCESSING, None),
    ("pending", S.PROCESSING, None),
    ("processing", S.PROCESSING, None),
    ("queued", S.PROCESSING, None),
    ("reversed", S.SUCCEEDED, None),
    ("send_otp", S.PROCESSING, None),
    ("send_pin", S.PROCESSING, None),
    ("send_birthday", S.PROCESSING, None),
    ("send_phone", S.PROCESSING, None),
    ("open_url", S.PROCESSING, None),
    ("pay_offline", S.PROCESSING, None),
]


def test_the_transaction_table_is_exactly_the_documented_rows():
    assert set(TRANSACTION_STATUSES) == {status for status, _, _ in TRANSACTION_ROWS}


@pytest.mark.parametrize("status, expected, failure_code", TRANSACTION_ROWS)
def test_transaction_rows(status, expected, failure_code):
    outcome = transaction_outcome(status)
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)


@pytest.mark.parametrize("gateway_response, expected, failure_code", [
    ("Insufficient Funds", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("insufficient funds ", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("Declined", S.FAILED, F.PROVIDER_DECLINED),
    ("Do Not Honor", S.FAILED, F.PROVIDER_DECLINED),
    ("Incorrect PIN", S.FAILED, F.WRONG_PIN),
    ("Incorrect OTP", S.FAILED, F.WRONG_PIN),
    ("Transaction cancelled by customer", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("Transaction timed out", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("Issuer or switch inoperative", S.FAILED, F.PROVIDER_DECLINED),  # unknown text: still an explicit failure
    ("", S.FAILED, F.PROVIDER_DECLINED),
])
def test_failed_transactions_are_refined_by_gateway_response(gateway_response, expected, failure_code):
    outcome = transaction_outcome("failed", gateway_response)
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)


def test_gateway_response_never_changes_a_non_failed_status():
    assert transaction_outcome("success", "Insufficient Funds").status is S.SUCCEEDED


def test_an_unknown_status_is_unknown_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="lipwa.connectors.paystack"):
        outcome = transaction_outcome("chargeback")
    assert (outcome.status, outcome.failure_code) == (S.UNKNOWN, None)
    assert "chargeback" in caplog.text


# PROVIDERS.md 6.6.
@pytest.mark.parametrize("status, expected, failure_code", [
    ("pending", S.PENDING, None),
    ("processing", S.PROCESSING, None),
    ("processed", S.SUCCEEDED, None),
    ("failed", S.FAILED, F.PROVIDER_DECLINED),
    ("needs-attention", S.REQUIRES_ACTION, None),
    ("reversed", S.UNKNOWN, None),
])
def test_refund_rows(status, expected, failure_code):
    outcome = refund_outcome(status)
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)
    assert set(REFUND_STATUSES) == {"pending", "processing", "processed", "failed", "needs-attention"}


@pytest.mark.parametrize("status, display_text, url, action", [
    ("send_otp", "Enter the voucher", "", {"type": "send_otp", "text": "Enter the voucher"}),
    ("pay_offline", "", "", {"type": "display_instructions",
                             "text": "Please complete authorization process on your mobile phone"}),
    ("open_url", "", "https://bank.example/3ds", {"type": "redirect", "url": "https://bank.example/3ds"}),
    ("open_url", "", "", None),
    ("send_pin", "Enter your card PIN", "", {"type": "send_pin", "text": "Enter your card PIN"}),
    ("success", "", "", None),
    ("ongoing", "", "", None),
])
def test_next_actions_of_charge_api_steps(status, display_text, url, action):
    assert charge_next_action(status, display_text, url) == action


@pytest.mark.parametrize("http_status, message, expected, failure_code", [
    (400, "Duplicate Transaction Reference", S.UNKNOWN, None),  # 6.9: the first call landed
    (400, "Invalid phone number", S.FAILED, F.INVALID_PHONE),
    (400, "Invalid Email Address Passed", S.FAILED, F.CONFIGURATION_ERROR),
    (401, "Invalid key", S.FAILED, F.CONFIGURATION_ERROR),
    (404, "Route not found", S.FAILED, F.CONFIGURATION_ERROR),
    (429, "Too many requests", S.FAILED, F.PROVIDER_UNAVAILABLE),
    (503, "Service temporarily unavailable", S.FAILED, F.PROVIDER_UNAVAILABLE),
    (500, "An error occurred", S.UNKNOWN, None),
    (502, "", S.UNKNOWN, None),
    (200, "odd", S.UNKNOWN, None),
])
def test_initiate_errors(http_status, message, expected, failure_code):
    outcome = initiate_error_outcome(ApiError(http_status, message))
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)


@pytest.mark.parametrize("http_status, expected, failure_code", [
    (400, S.FAILED, F.PROVIDER_DECLINED),
    (404, S.FAILED, F.PROVIDER_DECLINED),
    (401, S.FAILED, F.CONFIGURATION_ERROR),
    (503, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (500, S.UNKNOWN, None),
])
def test_refund_errors(http_status, expected, failure_code):
    outcome = refund_error_outcome(ApiError(http_status, "x"))
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)


def test_http_status_outcome_keeps_ambiguous_5xx_unknown():
    assert http_status_outcome(504).status is S.UNKNOWN
    assert http_status_outcome(408).failure_code is F.PROVIDER_UNAVAILABLE
    assert http_status_outcome(403).failure_code is F.CONFIGURATION_ERROR


# -- amounts: PROVIDERS.md 6.2, "send 50000 for NGN 500" (6.9) ------------------------------------------------


@pytest.mark.parametrize("currency", ["NGN", "GHS", "KES", "ZAR", "USD"])
def test_subunits_are_minor_units_for_every_currency(currency):
    assert wire_amount(Money(50_000, currency)) == 50_000
    assert money_from_wire(50_000, currency) == Money(50_000, currency)


def test_currencies_paystack_does_not_take_are_refused():
    with pytest.raises(ValueError):
        wire_amount(Money(500, "XOF"))
    with pytest.raises(WireFormatError):
        money_from_wire(500, "XOF")


@pytest.mark.parametrize("value, parsed", [(10_000, 10_000), ("10000", 10_000), (" 7 ", 7), (None, None)])
def test_wire_amounts_accept_integers_and_numeric_strings(value, parsed):
    assert parse_wire_amount(value) == parsed


@pytest.mark.parametrize("value", [True, 100.5, "100.50", "1e3", -5, "", {"amount": 1}])
def test_wire_amounts_refuse_anything_else(value):
    with pytest.raises(WireFormatError):
        parse_wire_amount(value)


# -- wire shapes -----------------------------------------------------------------------------------------------


def test_every_fixture_is_json_with_a_known_shape():
    for path in FIXTURES.glob("*.json"):
        body = fixture(path.stem)
        assert "status" in body or "event" in body, path.name


def test_initialize_data():
    data = InitializeData.from_json(fixture("initialize__created")["data"])
    assert data.reference == REFERENCE and data.authorization_url.startswith("https://checkout.paystack.com/")
    with pytest.raises(WireFormatError):
        InitializeData.from_json({"authorization_url": "javascript:alert(1)", "reference": REFERENCE})


def test_transaction_tolerates_string_amounts_and_string_metadata():
    transaction = Transaction.from_json(fixture("verify__amount_as_string")["data"])
    assert transaction.money() == Money(10_000, "KES")


def test_unpaid_transactions_have_no_authorization():
    assert Transaction.from_json(fixture("verify__abandoned")["data"]).authorization is None
    assert Authorization.from_json({}) is None


def test_refund_transaction_reference_in_either_shape():
    assert Refund.from_json(fixture("refund__pending")["data"]).transaction_reference == REFERENCE
    flat = {"id": "1", "status": "processed", "transaction_reference": "ref-9", "amount": "400"}
    assert Refund.from_json(flat) == Refund("1", "processed", 400, "", "ref-9", "")
    with pytest.raises(WireFormatError):
        Refund.from_json({"status": "pending"})


def test_api_error_needs_status_false():
    assert ApiError.from_json({"status": False, "message": "Invalid key"}, 401) == ApiError(401, "Invalid key")
    assert ApiError.from_json({"status": True}, 200) is None
    assert ApiError.from_json(["status"], 400) is None
