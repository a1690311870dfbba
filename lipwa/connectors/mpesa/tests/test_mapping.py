"""The status tables against PROVIDERS.md §1, row by row, and the wire shapes against its samples.

The expected values are written out here again, not read from mapping.py, so that a changed table row
fails a test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.connectors.mpesa.mapping import (
    RESULT_CODES,
    ErrorEnvelope,
    StkPushResponse,
    StkQueryResponse,
    TokenResponse,
    WireFormatError,
    callback_url_blocked_words,
    http_status_outcome,
    normalize_result_code,
    push_error_outcome,
    query_error_outcome,
    result_code_outcome,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import FIXTURES, fixture

S, F = ResultStatus, FailureCode

# PROVIDERS.md 1.6, every row.
RESULT_CODE_ROWS = [
    (0, S.SUCCEEDED, None),
    (1, S.FAILED, F.INSUFFICIENT_FUNDS),
    (2, S.FAILED, F.LIMIT_EXCEEDED),
    (3, S.FAILED, F.LIMIT_EXCEEDED),
    (4, S.FAILED, F.LIMIT_EXCEEDED),
    (8, S.FAILED, F.LIMIT_EXCEEDED),
    (17, S.FAILED, F.DUPLICATE_REQUEST),
    (1001, S.FAILED, F.DUPLICATE_REQUEST),
    (1019, S.EXPIRED, F.CUSTOMER_TIMEOUT),
    (1025, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (1031, S.CANCELLED, F.CUSTOMER_CANCELLED),
    (1032, S.CANCELLED, F.CUSTOMER_CANCELLED),
    (1037, S.EXPIRED, F.CUSTOMER_TIMEOUT),
    (2001, S.FAILED, F.WRONG_PIN),
    (2028, S.FAILED, F.CONFIGURATION_ERROR),
    (8006, S.FAILED, F.ACCOUNT_LOCKED),
    ("SFC_IC0003", S.FAILED, F.CONFIGURATION_ERROR),
    (9999, S.FAILED, F.PROVIDER_UNAVAILABLE),
]


@pytest.mark.parametrize("code, status, failure_code", RESULT_CODE_ROWS)
def test_result_code_table(code, status, failure_code):
    outcome = result_code_outcome(code)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_result_code_table_has_no_row_this_test_does_not_pin():
    assert set(RESULT_CODES) == {row[0] for row in RESULT_CODE_ROWS}


@pytest.mark.parametrize("code", [5, 1036, 4242, "SFC_IC9999", "R000002", -1])
def test_unknown_result_codes_are_unknown_never_failed_and_logged(code, caplog):
    with caplog.at_level(logging.WARNING, logger="lipwa.connectors.mpesa"):
        outcome = result_code_outcome(code)
    assert outcome.status is S.UNKNOWN
    assert outcome.failure_code is None
    assert repr(code) in caplog.text


@pytest.mark.parametrize("wire, code", [
    (0, 0), ("0", 0), (1032, 1032), ("1032", 1032), (" 1037 ", 1037), ("SFC_IC0003", "SFC_IC0003"),
    ("R000002", "R000002"),
])
def test_result_codes_are_the_same_whether_sent_as_numbers_or_strings(wire, code):
    assert normalize_result_code(wire) == code
    assert result_code_outcome(normalize_result_code(wire)) == result_code_outcome(code)


@pytest.mark.parametrize("wire", [None, True, 1.5, "", "10 32", "0.5", [0], {"code": 0}])
def test_result_codes_that_are_neither_numbers_nor_codes_are_refused(wire):
    with pytest.raises(WireFormatError, match="ResultCode must be a number or a code"):
        normalize_result_code(wire)


# PROVIDERS.md 1.3: (errorCode, errorMessage) → outcome of an STK push.
PUSH_ERROR_ROWS = [
    ("400.002.02", "Bad Request - Invalid BusinessShortCode", S.FAILED, F.CONFIGURATION_ERROR),
    ("400.002.02", "Bad Request - Invalid CallBackURL", S.FAILED, F.CONFIGURATION_ERROR),
    ("400.002.02", "Bad Request - Invalid PhoneNumber", S.FAILED, F.INVALID_PHONE),
    ("400.002.02", "Bad Request - Invalid PartyA", S.FAILED, F.INVALID_PHONE),
    ("404.001.01", "Resource not found", S.FAILED, F.CONFIGURATION_ERROR),
    ("404.001.03", "Invalid Access Token", S.FAILED, F.CONFIGURATION_ERROR),
    ("401.002.01", "Error Occurred - Invalid Access Token", S.FAILED, F.CONFIGURATION_ERROR),
    ("405.001", "Method not allowed", S.FAILED, F.CONFIGURATION_ERROR),
    ("500.001.1001", "Merchant does not exist", S.FAILED, F.CONFIGURATION_ERROR),
    ("500.001.1001", "Wrong credentials", S.FAILED, F.CONFIGURATION_ERROR),
    ("500.001.1001", "Unable to lock subscriber, a transaction is already in process for the current subscriber",
     S.FAILED, F.DUPLICATE_REQUEST),
    ("500.001.1001", "Something Daraja never documented", S.UNKNOWN, None),
    ("500.003.02", "System is busy. Please try again in few minutes.", S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("500.003.02", "Spike Arrest Violation", S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("500.003.03", "Quota Violation", S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("500.003.1001", "Internal Server Error", S.UNKNOWN, None),
    ("999.999.99", "A code nobody has seen", S.UNKNOWN, None),
]


@pytest.mark.parametrize("code, message, status, failure_code", PUSH_ERROR_ROWS)
def test_push_error_table(code, message, status, failure_code):
    outcome = push_error_outcome(ErrorEnvelope(http_status=500, error_code=code, error_message=message))
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


@pytest.mark.parametrize("code, message, status", [
    ("500.001.1001", "The transaction is being processed", S.PROCESSING),
    ("500.001.1001", "the transaction is BEING PROCESSED", S.PROCESSING),
    # The same code with another message is not "pending": always read errorMessage (1.3).
    ("500.001.1001", "Wrong credentials", S.UNKNOWN),
    ("400.002.02", "Bad Request - Invalid CheckoutRequestID", S.UNKNOWN),
    ("500.003.02", "Spike Arrest Violation", S.UNKNOWN),
])
def test_a_refused_query_is_never_a_final_answer(code, message, status):
    outcome = query_error_outcome(ErrorEnvelope(http_status=500, error_code=code, error_message=message))
    assert outcome.status is status
    assert outcome.failure_code is None


@pytest.mark.parametrize("http_status, status, failure_code", [
    (400, S.FAILED, F.CONFIGURATION_ERROR), (403, S.FAILED, F.CONFIGURATION_ERROR),
    (408, S.FAILED, F.PROVIDER_UNAVAILABLE), (429, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (503, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (200, S.UNKNOWN, None), (500, S.UNKNOWN, None), (502, S.UNKNOWN, None), (504, S.UNKNOWN, None),
])
def test_http_errors_without_an_envelope(http_status, status, failure_code):
    outcome = http_status_outcome(http_status)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


# -- wire shapes ------------------------------------------------------------------------------------------

FIXTURE_DECODERS = {
    "stk_push__accepted": lambda data: StkPushResponse.from_json(data),
    "stk_query__succeeded": lambda data: StkQueryResponse.from_json(data),
    "stk_query__cancelled": lambda data: StkQueryResponse.from_json(data),
    "oauth__token_string_expiry": lambda data: TokenResponse.from_json(data),
    **{name: (lambda data: ErrorEnvelope.from_json(data, 500)) for name in (
        "stk_push__invalid_shortcode", "stk_push__invalid_phone_number", "stk_push__subscriber_locked",
        "stk_push__wrong_credentials", "stk_push__system_busy", "stk_push__internal_server_error",
        "stk_query__being_processed", "error__invalid_access_token")},
}


def test_every_response_fixture_is_decoded_here():
    names = {path.stem for path in FIXTURES.glob("*.json") if not path.stem.startswith("stk_callback__")}
    assert names == set(FIXTURE_DECODERS)


@pytest.mark.parametrize("name", sorted(FIXTURE_DECODERS))
def test_response_fixtures_decode(name):
    assert FIXTURE_DECODERS[name](fixture(name)) is not None


def test_stk_push_response():
    response = StkPushResponse.from_json(fixture("stk_push__accepted"))
    assert response.accepted
    assert response.checkout_request_id == "ws_CO_1007202409152617172396192"
    assert response.merchant_request_id == "2654-4b64-97ff-b827b542881d3130"
    assert StkPushResponse.from_json({**fixture("stk_push__accepted"), "ResponseCode": 0}).accepted
    assert not StkPushResponse.from_json({**fixture("stk_push__accepted"), "ResponseCode": "1"}).accepted


def test_stk_push_response_without_checkout_request_id_is_refused():
    body = {k: v for k, v in fixture("stk_push__accepted").items() if k != "CheckoutRequestID"}
    with pytest.raises(WireFormatError, match="CheckoutRequestID"):
        StkPushResponse.from_json(body)


def test_stk_query_response_normalizes_the_string_result_code():
    assert StkQueryResponse.from_json(fixture("stk_query__succeeded")).result_code == 0
    assert StkQueryResponse.from_json(fixture("stk_query__cancelled")).result_code == 1032
    assert StkQueryResponse.from_json({"ResponseCode": "0"}).result_code is None


def test_error_envelope():
    envelope = ErrorEnvelope.from_json(fixture("stk_query__being_processed"), 500)
    assert (envelope.error_code, envelope.error_message) == ("500.001.1001", "The transaction is being processed")
    assert ErrorEnvelope.from_json(fixture("stk_push__accepted"), 200) is None


@pytest.mark.parametrize("expires_in, seconds", [("3599", 3599), (3599, 3599), (" 3599 ", 3599), ("3599.0", 3599)])
def test_token_expiry_is_coerced(expires_in, seconds):
    token = TokenResponse.from_json({"access_token": "abc", "expires_in": expires_in})
    assert token.expires_in_seconds == seconds


@pytest.mark.parametrize("expires_in", [None, "", "soon", "0", "-5", "Infinity"])
def test_unusable_token_expiry_falls_back_to_the_documented_lifetime(expires_in, caplog):
    token = TokenResponse.from_json({"access_token": "abc", "expires_in": expires_in})
    assert token.expires_in_seconds == 3599
    assert "expires_in" in caplog.text


def test_token_response_hides_the_token():
    token = TokenResponse.from_json(fixture("oauth__token_string_expiry"))
    assert token.access_token == "c9SQxWWhmdVRlyh0zh8gZDTkubVF"
    assert "c9SQ" not in repr(token)
    with pytest.raises(WireFormatError, match="access_token"):
        TokenResponse.from_json({"expires_in": "3599"})


def test_callback_url_blocked_words():
    assert callback_url_blocked_words("https://pay.example.co.ke/hooks/daraja/ca_1/tok/") == []
    assert callback_url_blocked_words("https://pay.example.co.ke/hooks/mpesa/ca_1/tok/") == ["mpesa"]
    assert callback_url_blocked_words("https://M-PESA.example/x?query=1") == ["m-pesa", "query"]
