"""The status tables against PROVIDERS.md §7, row by row, and the wire shapes against its samples.

The expected values are written out here again, not read from mapping.py, so that a changed table row fails a
test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from lipwa.common.money import Money
from lipwa.connectors.paynow.mapping import (
    STATUSES,
    FormMessage,
    InitiateResponse,
    StatusMessage,
    WireFormatError,
    authorization_expires_at,
    http_status_outcome,
    initiate_error_outcome,
    status_outcome,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import fixture

S, F = ResultStatus, FailureCode

# PROVIDERS.md 7.7, every row.
STATUS_ROWS = [
    ("Created", S.PENDING, None),
    ("Sent", S.PROCESSING, None),
    ("Paid", S.SUCCEEDED, None),
    ("Awaiting Delivery", S.SUCCEEDED, None),
    ("Delivered", S.SUCCEEDED, None),
    ("Cancelled", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("Failed", S.FAILED, F.PROVIDER_DECLINED),
    ("Disputed", S.SUCCEEDED, None),
    ("Refunded", S.SUCCEEDED, None),
]


@pytest.mark.parametrize("status, result, failure_code", STATUS_ROWS)
def test_status_table(status, result, failure_code):
    outcome = status_outcome(status)
    assert (outcome.status, outcome.failure_code) == (result, failure_code)


def test_the_table_has_exactly_the_documented_rows():
    assert set(STATUSES) == {status.lower() for status, _, _ in STATUS_ROWS}


@pytest.mark.parametrize("status", ["PAID", "paid", " Paid ", "awaiting  delivery", "AWAITING DELIVERY"])
def test_statuses_are_read_case_and_space_insensitively(status):
    assert status_outcome(status).status is S.SUCCEEDED


@pytest.mark.parametrize("status", ["Ok", "Error", "Pending", "Reversed", ""])
def test_unknown_statuses_are_unknown_and_logged(status, caplog):
    caplog.set_level(logging.WARNING)
    assert status_outcome(status).status is S.UNKNOWN
    assert "unknown Paynow status" in caplog.text


@pytest.mark.parametrize("error, failure_code", [
    ("Invalid Hash.  Hash should start with: 8AB116", F.CONFIGURATION_ERROR),
    ("Invalid Id.", F.CONFIGURATION_ERROR),
    ("The integration ID specified is currently in test mode. The authemail used must belong to the company in "
     "control of the integration ID.", F.CONFIGURATION_ERROR),
    ("Insufficient balance", F.INSUFFICIENT_FUNDS),
    ("Transaction limit exceeded", F.LIMIT_EXCEEDED),
    ("Invalid mobile number for ecocash", F.INVALID_PHONE),
    ("Invalid phone", F.INVALID_PHONE),
    ("Something new went wrong", F.PROVIDER_DECLINED),
    ("", F.PROVIDER_DECLINED),
])
def test_initiate_errors_are_refusals_with_a_reason(error, failure_code):
    outcome = initiate_error_outcome(error)
    assert (outcome.status, outcome.failure_code) == (S.FAILED, failure_code)


@pytest.mark.parametrize("status_code, status, failure_code", [
    (503, S.FAILED, F.PROVIDER_UNAVAILABLE), (429, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (408, S.FAILED, F.PROVIDER_UNAVAILABLE), (404, S.FAILED, F.CONFIGURATION_ERROR),
    (500, S.UNKNOWN, None), (502, S.UNKNOWN, None), (504, S.UNKNOWN, None),
])
def test_http_errors(status_code, status, failure_code):
    outcome = http_status_outcome(status_code)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


# -- wire shapes ------------------------------------------------------------------------------------------


def test_the_docs_web_answer():
    answer = InitiateResponse.from_message(FormMessage.decode(fixture("initiate__web_ok")["body"]))
    assert answer.ok and not answer.is_error
    assert answer.browser_url == "https://staging.paynow.co.zw/Payment/ConfirmPayment/9510"
    assert answer.paynow_reference == "9510"


def test_the_innbucks_answer():
    answer = InitiateResponse.from_message(FormMessage.decode(fixture("initiate__innbucks_ok")["body"]))
    assert (answer.authorization_code, answer.authorization_expires) == ("123456789", "1-Jun-2024 14:05")
    assert answer.paynow_reference == "4,218,340"


def test_error_answers():
    answer = InitiateResponse.from_message(FormMessage.decode(fixture("initiate__error_invalid_hash")["body"]))
    assert answer.is_error and answer.error == "Invalid Hash.  Hash should start with: 8AB116"


def test_the_providers_poll_example_keeps_its_comma():
    status = StatusMessage.from_message(FormMessage.decode(fixture("poll__created")["body"]))
    assert (status.reference, status.paynow_reference, status.status) == ("siteid123", "1,082", "Created")
    assert status.money("USD") == Money(10000, "USD")


def test_keys_are_read_case_insensitively():
    message = FormMessage.decode("Status=Ok&BrowserUrl=https%3a%2f%2fx.test%2fp&PollUrl=https%3a%2f%2fx.test%2fq")
    answer = InitiateResponse.from_message(message)
    assert (answer.status, answer.browser_url, answer.poll_url) == ("Ok", "https://x.test/p", "https://x.test/q")


@pytest.mark.parametrize("body, words", [
    (b"\xff\xfe", "not form-encoded"),
    (b"<html>down</html>", "not form-encoded"),
    (b"status=Ok&&x=1", "not form-encoded"),
    (b"status=Ok&Status=Error", "repeats status"),
])
def test_bodies_that_are_not_paynow_messages(body, words):
    with pytest.raises(WireFormatError) as excinfo:
        FormMessage.decode(body)
    assert words in str(excinfo.value)


@pytest.mark.parametrize("amount, expected", [("10.00", Money(1000, "USD")), ("10", Money(1000, "USD")),
                                              ("0.01", Money(1, "USD")), ("", None)])
def test_amounts_are_exact(amount, expected):
    status = StatusMessage("r", amount, "1", "https://x.test/p", "Paid")
    assert status.money("USD") == expected


@pytest.mark.parametrize("amount, words", [("ten", "not an amount"), ("10.001", "not an amount"),
                                           ("0.00", "not positive"), ("-1", "not positive"), ("1e999999999", "")])
def test_bad_amounts(amount, words):
    with pytest.raises(WireFormatError) as excinfo:
        StatusMessage("r", amount, "1", "https://x.test/p", "Paid").money("ZWG")
    assert words in str(excinfo.value)


@pytest.mark.parametrize("text, expected", [
    ("1-Jun-2024 14:05", datetime(2024, 6, 1, 12, 5, tzinfo=UTC)),  # CAT is UTC+2
    ("31-Dec-2024 01:30", datetime(2024, 12, 30, 23, 30, tzinfo=UTC)),
    ("01-jan-2025 00:00", datetime(2024, 12, 31, 22, 0, tzinfo=UTC)),
    ("2024-06-01 14:05", None),
    ("1-Juin-2024 14:05", None),
    ("", None),
])
def test_innbucks_expiry(text, expected):
    assert authorization_expires_at(text) == expected
