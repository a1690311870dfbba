"""The status tables against PROVIDERS.md §4, row by row, and the wire shapes against its samples.

The expected values are written out here again, not read from mapping.py, so that a changed table row
fails a test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from lipwa.connectors.azampay.mapping import (
    NETWORK_PROVIDERS,
    STATUS_VALUES,
    CheckoutResponse,
    Envelope,
    ProblemDetails,
    TokenResponse,
    WireFormatError,
    external_id,
    failure_outcome,
    http_status_outcome,
    parse_expiry,
    refusal_outcome,
    status_outcome,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import fixture

S, F = ResultStatus, FailureCode


def test_network_ids_map_to_azampay_providers():
    # The issue and PROVIDERS.md 4.3/4.9: lipwa.common.networks ids → AzamPay's provider enum.
    assert NETWORK_PROVIDERS == {"vodacom": "Mpesa", "tigo": "Tigo", "airtel": "Airtel", "halotel": "Halopesa",
                                 "azampesa": "Azampesa"}


# 4.8 and the (P) status-query vocabulary of 4.7, every row.
@pytest.mark.parametrize("value, message, status, failure_code", [
    ("success", "", S.SUCCEEDED, None),
    ("SUCCESS", "", S.SUCCEEDED, None),
    (" pending ", "", S.PROCESSING, None),
    ("failure", "Insufficient balance", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("failure", "Transaction cancelled by user", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("failure", "Transaction timed out: no response from user", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("failure", "Invalid PIN entered", S.FAILED, F.WRONG_PIN),
    ("failure", "Invalid OTP entered", S.FAILED, F.WRONG_PIN),
    ("failure", "Transaction failed", S.FAILED, F.PROVIDER_DECLINED),
    ("failure", "", S.FAILED, F.PROVIDER_DECLINED),
])
def test_status_table(value, message, status, failure_code):
    outcome = status_outcome(value, message)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_status_table_has_no_row_this_test_does_not_pin():
    assert set(STATUS_VALUES) == {"success", "failure", "pending"}


@pytest.mark.parametrize("value", ["successful", "completed", "FAILED", "", None, 1, ["success"]])
def test_unknown_statuses_are_unknown_never_failed_and_logged(value, caplog):
    with caplog.at_level(logging.WARNING, logger="lipwa.connectors.azampay"):
        outcome = status_outcome(value, "Insufficient balance")
    assert (outcome.status, outcome.failure_code) == (S.UNKNOWN, None)
    assert "unknown AzamPay status" in caplog.text


@pytest.mark.parametrize("message, status, failure_code", [
    ("Not enough funds in wallet", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("Low balance", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("Request rejected by user", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("User cancelled the USSD prompt", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("Session timeout", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("Request expired", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("Wrong PIN", S.FAILED, F.WRONG_PIN),
    ("Pinned request failed", S.FAILED, F.PROVIDER_DECLINED),  # "pin" only as a word
    ("Daily limit reached", S.FAILED, F.LIMIT_EXCEEDED),
    ("Subscriber not found", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    ("MSISDN not registered for mobile money", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
])
def test_failure_messages(message, status, failure_code):
    outcome = failure_outcome(message)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


@pytest.mark.parametrize("http_status, status, failure_code", [
    (408, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (429, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (503, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (401, S.FAILED, F.CONFIGURATION_ERROR),
    (403, S.FAILED, F.CONFIGURATION_ERROR),
    (404, S.FAILED, F.CONFIGURATION_ERROR),
    (405, S.FAILED, F.CONFIGURATION_ERROR),
    (423, S.FAILED, F.CONFIGURATION_ERROR),
    (400, S.FAILED, F.PROVIDER_DECLINED),
    (409, S.FAILED, F.PROVIDER_DECLINED),
    (500, S.UNKNOWN, None),
    (502, S.UNKNOWN, None),
    (504, S.UNKNOWN, None),
    (200, S.UNKNOWN, None),
])
def test_http_status_table(http_status, status, failure_code):
    outcome = http_status_outcome(http_status)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


@pytest.mark.parametrize("http_status, message, phone, status, failure_code", [
    (200, "Amount must be at least 100 TZS", False, S.FAILED, F.PROVIDER_DECLINED),
    (200, "Insufficient balance", False, S.FAILED, F.INSUFFICIENT_FUNDS),
    # Nothing reached the customer, so a refusal is never "cancelled" or "expired".
    (200, "Request expired", False, S.FAILED, F.PROVIDER_DECLINED),
    (400, "One or more validation errors occurred.", True, S.FAILED, F.INVALID_PHONE),
    (422, "x", False, S.FAILED, F.PROVIDER_DECLINED),
    (503, "Service temporarily unavailable", False, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (500, "boom", False, S.UNKNOWN, None),
    (401, "Unauthorized", False, S.FAILED, F.CONFIGURATION_ERROR),
])
def test_refusals(http_status, message, phone, status, failure_code):
    outcome = refusal_outcome(http_status, message, phone_refused=phone)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_external_ids_are_deterministic_short_hex_and_per_kind():
    first = external_id("charge", "att_01HZX5V9K3M4N5P6Q7R8S9T0VW")
    assert first == external_id("charge", "att_01HZX5V9K3M4N5P6Q7R8S9T0VW")
    assert len(first) == 30 and int(first, 16) >= 0
    assert first != external_id("payout", "att_01HZX5V9K3M4N5P6Q7R8S9T0VW")
    assert first != external_id("charge", "att_01HZX5V9K3M4N5P6Q7R8S9T0VX")
    # Pinned: a changed namespace would make re-queries of old attempts ask for ids AzamPay never saw.
    assert external_id("charge", "att_1") == "532b7b72e31359d1907da9c7452ec2"
    assert external_id("payout", "po_1") == "3f02060ba58f5de68a0ed57eecd456"


# -- wire shapes ------------------------------------------------------------------------------------------


def test_token_response_from_the_documented_sample():
    token = TokenResponse.from_json(fixture("token__generated"))
    assert token.access_token.startswith("eyJ")
    assert token.expires_at == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert token.access_token not in repr(token)


@pytest.mark.parametrize("body", [{}, {"data": None}, {"data": {"accessToken": ""}}, {"data": {"accessToken": 5}},
                                  [1]])
def test_token_response_without_a_token_is_refused(body):
    with pytest.raises(WireFormatError):
        TokenResponse.from_json(body)


@pytest.mark.parametrize("value, expected", [
    ("2024-06-01T12:00:00Z", datetime(2024, 6, 1, 12, tzinfo=UTC)),
    ("2024-06-01T15:00:00+03:00", datetime(2024, 6, 1, 12, tzinfo=UTC)),
    ("2024-06-01T12:00:00", datetime(2024, 6, 1, 12, tzinfo=UTC)),
    ("2024-06-01 12:00:00.1234567", datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    ("", None), ("soon", None), (None, None), (3600, None),
])
def test_expiry_parsing(value, expected):
    assert parse_expiry(value) == expected


def test_checkout_response_shapes():
    accepted = CheckoutResponse.from_json(fixture("mno_checkout__accepted"), 200)
    assert (accepted.success, accepted.transaction_id) == (True, "ab12cd34ef5678900fedcba987654321")
    rejected = CheckoutResponse.from_json(fixture("mno_checkout__rejected"), 200)
    assert (rejected.success, rejected.transaction_id, rejected.message) == (
        False, "", "Amount must be at least 100 TZS")


def test_envelope_and_problem_details():
    envelope = Envelope.from_json(fixture("transaction_status__not_found"), 404)
    assert (envelope.success, envelope.data, envelope.data_text, envelope.status_code) == (False, None, "", 404)
    problem = ProblemDetails.from_json(fixture("mno_checkout__invalid_account_number"), 400)
    assert problem.mentions("accountnumber") and not problem.mentions("amount")
    assert "accountNumber: The accountNumber field is not a valid" in problem.message
    assert ProblemDetails.from_json({"success": False}, 400) is None
