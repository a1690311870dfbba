"""The status tables against PROVIDERS.md §3.5, row by row, and the wire shapes against its samples.

The expected values are written out here again, not read from mapping.py, so that a changed table row fails a
test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.connectors.airtel.mapping import (
    COLLECTION_CODES,
    COUNTRY_CURRENCIES,
    DISBURSEMENT_CODES,
    TRANSACTION_STATUSES,
    ApiResponse,
    EncryptionKey,
    StatusBlock,
    TokenResponse,
    WireFormatError,
    code_outcome,
    collection_outcome,
    http_status_outcome,
    refund_outcome,
    reply_outcome,
    transaction_outcome,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import fixture

S, F = ResultStatus, FailureCode

# PROVIDERS.md §3.5, collection series, every row.
COLLECTION_ROWS = [
    ("DP00800001000", S.UNKNOWN, None),
    ("DP00800001001", S.SUCCEEDED, None),
    ("DP00800001002", S.FAILED, F.WRONG_PIN),
    ("DP00800001003", S.FAILED, F.LIMIT_EXCEEDED),
    ("DP00800001004", S.FAILED, F.LIMIT_EXCEEDED),
    ("DP00800001005", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("DP00800001006", S.PROCESSING, None),
    ("DP00800001007", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("DP00800001008", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("DP00800001009", S.FAILED, F.PROVIDER_DECLINED),
    ("DP00800001010", S.FAILED, F.PROVIDER_DECLINED),
    ("DP00800001024", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("DP00800001025", S.UNKNOWN, None),
    ("DP00800001026", S.FAILED, F.CONFIGURATION_ERROR),
    ("DP00800001029", S.EXPIRED, F.CUSTOMER_TIMEOUT),
]
# PROVIDERS.md §3.5, disbursement series, every row.
DISBURSEMENT_ROWS = [
    ("DP00900001000", S.UNKNOWN, None),
    ("DP00900001001", S.SUCCEEDED, None),
    ("DP00900001003", S.FAILED, F.LIMIT_EXCEEDED),
    ("DP00900001004", S.FAILED, F.LIMIT_EXCEEDED),
    ("DP00900001005", S.FAILED, F.PROVIDER_DECLINED),
    ("DP00900001006", S.PROCESSING, None),
    ("DP00900001007", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("DP00900001009", S.FAILED, F.CONFIGURATION_ERROR),
    ("DP00900001010", S.FAILED, F.CONFIGURATION_ERROR),
    ("DP00900001011", S.FAILED, F.DUPLICATE_REQUEST),
    ("DP00900001012", S.FAILED, F.INVALID_PHONE),
    ("DP00900001013", S.FAILED, F.PROVIDER_DECLINED),
    ("DP00900001014", S.UNKNOWN, None),
    ("DP00900001015", S.UNKNOWN, None),
    ("DP00900001016", S.FAILED, F.CONFIGURATION_ERROR),
    ("DP00900001017", S.UNKNOWN, None),
]
STATUS_ROWS = [("TS", S.SUCCEEDED, None), ("TA", S.UNKNOWN, None), ("TIP", S.PROCESSING, None),
               ("TE", S.EXPIRED, F.CUSTOMER_TIMEOUT), ("TI", S.PROCESSING, None)]


@pytest.mark.parametrize("code, status, failure_code", COLLECTION_ROWS)
def test_collection_code_table(code, status, failure_code):
    outcome = code_outcome(COLLECTION_CODES, code, "test")
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


@pytest.mark.parametrize("code, status, failure_code", DISBURSEMENT_ROWS)
def test_disbursement_code_table(code, status, failure_code):
    outcome = code_outcome(DISBURSEMENT_CODES, code, "test")
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


@pytest.mark.parametrize("status, expected, failure_code", STATUS_ROWS)
def test_transaction_status_table(status, expected, failure_code):
    outcome = transaction_outcome(status, "", COLLECTION_CODES, "test")
    assert (outcome.status, outcome.failure_code) == (expected, failure_code)


def test_tables_have_no_row_these_tests_do_not_pin():
    assert set(COLLECTION_CODES) == {row[0] for row in COLLECTION_ROWS}
    assert set(DISBURSEMENT_CODES) == {row[0] for row in DISBURSEMENT_ROWS}
    assert set(TRANSACTION_STATUSES) == {row[0] for row in STATUS_ROWS}


@pytest.mark.parametrize("code", ["DP00800001011", "DP00800009999", "ESB000010", ""])
def test_unknown_codes_are_unknown_never_failed_and_logged(code, caplog):
    with caplog.at_level(logging.WARNING, logger="lipwa.connectors.airtel"):
        outcome = code_outcome(COLLECTION_CODES, code, "test")
    assert (outcome.status, outcome.failure_code) == (S.UNKNOWN, None)
    assert repr(code) in caplog.text


@pytest.mark.parametrize("code, status, failure_code", [
    ("DP00800001007", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("DP00800001008", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("DP00800001024", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("DP00800001002", S.FAILED, F.WRONG_PIN),
    ("DP00800009999", S.FAILED, F.PROVIDER_DECLINED),  # a failure, but the code does not say why
    ("", S.FAILED, F.PROVIDER_DECLINED),
    ("DP00800001001", S.UNKNOWN, None),  # TF next to "success" contradicts itself: ask again
    ("DP00800001006", S.UNKNOWN, None),
    ("DP00800001000", S.UNKNOWN, None),
])
def test_tf_is_explained_by_the_response_code(code, status, failure_code):
    outcome = transaction_outcome("TF", code, COLLECTION_CODES, "test")
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_an_unknown_transaction_status_is_unknown(caplog):
    assert transaction_outcome("TZ", "DP00800001007", COLLECTION_CODES, "test").status is S.UNKNOWN
    assert "'TZ'" in caplog.text


@pytest.mark.parametrize("http_status, status, failure_code", [
    (503, S.FAILED, F.PROVIDER_UNAVAILABLE), (429, S.FAILED, F.PROVIDER_UNAVAILABLE),
    (408, S.FAILED, F.PROVIDER_UNAVAILABLE), (400, S.FAILED, F.CONFIGURATION_ERROR),
    (404, S.FAILED, F.CONFIGURATION_ERROR), (409, S.UNKNOWN, None), (500, S.UNKNOWN, None),
    (502, S.UNKNOWN, None), (504, S.UNKNOWN, None),
])
def test_http_status_outcome(http_status, status, failure_code):
    outcome = http_status_outcome(http_status)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


# -- whole answers ------------------------------------------------------------------------------------------


def answer(name: str, http_status: int = 200) -> ApiResponse:
    return ApiResponse.from_json(fixture(name), http_status)


@pytest.mark.parametrize("name, http_status, status, failure_code", [
    ("collection__accepted", 200, S.PROCESSING, None),
    ("collection__insufficient_funds", 200, S.FAILED, F.INSUFFICIENT_FUNDS),
    ("collection__signature_mismatch", 200, S.FAILED, F.CONFIGURATION_ERROR),
    ("collection__ambiguous", 200, S.UNKNOWN, None),
    ("collection__service_unavailable", 503, S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("collection__service_unavailable", 500, S.UNKNOWN, None),
    ("enquiry__succeeded", 200, S.PROCESSING, None),  # a push never says "paid", whatever its code
])
def test_collection_answers(name, http_status, status, failure_code):
    outcome = collection_outcome(answer(name, http_status))
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_an_accepted_push_refused_by_success_false_is_read_by_its_code():
    body = fixture("collection__accepted")
    body["status"] |= {"success": False, "response_code": "DP00800001010"}
    assert collection_outcome(ApiResponse.from_json(body, 200)).failure_code is F.PROVIDER_DECLINED


@pytest.mark.parametrize("name, status, failure_code", [
    ("enquiry__succeeded", S.SUCCEEDED, None),
    ("enquiry__insufficient_funds", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("enquiry__refused", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("enquiry__ambiguous", S.UNKNOWN, None),
    ("enquiry__in_progress", S.PROCESSING, None),
    ("enquiry__expired", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("enquiry__not_found", S.UNKNOWN, None),
    ("disbursement__succeeded", S.SUCCEEDED, None),
    ("disbursement__insufficient_funds", S.FAILED, F.INSUFFICIENT_FUNDS),
])
def test_enquiry_answers(name, status, failure_code):
    table = DISBURSEMENT_CODES if name.startswith("disbursement") else COLLECTION_CODES
    outcome = reply_outcome(answer(name), table, "test")
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_an_answer_with_neither_status_nor_code_is_unknown():
    assert reply_outcome(ApiResponse.from_json({"data": {}}, 200), COLLECTION_CODES, "test").status is S.UNKNOWN


@pytest.mark.parametrize("name, status, failure_code", [
    ("refund__accepted", S.UNKNOWN, None),  # "SUCCESS" next to success: false (§3.7)
    ("refund__not_found", S.UNKNOWN, None),
    ("collection__insufficient_funds", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("enquiry__refused", S.FAILED, F.PROVIDER_DECLINED),
    ("collection__signature_mismatch", S.FAILED, F.CONFIGURATION_ERROR),
])
def test_refund_answers(name, status, failure_code):
    outcome = refund_outcome(answer(name))
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


# -- wire shapes -------------------------------------------------------------------------------------------


def test_the_docs_sample_echoes_id_false_which_is_not_an_id():
    reply = answer("collection__accepted")
    assert reply.transaction.id == "" and reply.transaction.status == "SUCCESS"
    assert reply.response_code == "DP00800001006" and reply.status.success is True


@pytest.mark.parametrize("wire, success", [(True, True), (False, False), ("false", False), ("TRUE", True),
                                           ("maybe", None), (None, None), (0, None)])
def test_success_is_read_strictly(wire, success):
    assert StatusBlock.from_json({"success": wire}).success is success


@pytest.mark.parametrize("body", [[], "x", {}, {"status": "ok"}, {"data": []}])
def test_answers_without_status_or_data_are_refused(body):
    with pytest.raises(WireFormatError):
        ApiResponse.from_json(body, 200)


@pytest.mark.parametrize("expires_in, seconds", [("180", 180), (180, 180), (" 7200 ", 7200), ("180.0", 180)])
def test_token_expiry_is_coerced(expires_in, seconds):
    assert TokenResponse.from_json({"access_token": "abc", "expires_in": expires_in}).expires_in_seconds == seconds


@pytest.mark.parametrize("expires_in", [None, "", "soon", "0", "-5", "Infinity"])
def test_unusable_token_expiry_falls_back_to_the_documented_lifetime(expires_in, caplog):
    assert TokenResponse.from_json({"access_token": "abc", "expires_in": expires_in}).expires_in_seconds == 180
    assert "expires_in" in caplog.text


def test_token_response_hides_the_token():
    token = TokenResponse.from_json(fixture("oauth__token_string_expiry"))
    assert token.access_token == "UCc4N2VhNzY1ki2w" and "UCc4" not in repr(token)
    with pytest.raises(WireFormatError, match="access_token"):
        TokenResponse.from_json({"expires_in": "180"})


def test_encryption_key_answer():
    reply = ApiResponse.from_json({"data": {"key_id": "k1", "key": "QUJD", "valid_upto": "2030-01-01 00:00:00"},
                                   "status": {"response_code": "DP02010001001", "success": True}}, 200)
    assert EncryptionKey.from_response(reply) == EncryptionKey("k1", "QUJD", "2030-01-01 00:00:00")
    refused = ApiResponse.from_json({"data": {}, "status": {"response_code": "DP02010001000"}}, 200)
    with pytest.raises(WireFormatError, match="DP02010001000"):
        EncryptionKey.from_response(refused)


def test_country_table_is_providers_3_9():
    assert COUNTRY_CURRENCIES == {
        "UG": {"UGX"}, "KE": {"KES"}, "TZ": {"TZS"}, "RW": {"RWF"}, "ZM": {"ZMW"}, "MW": {"MWK"},
        "CD": {"CDF", "USD"}, "CG": {"XAF"}, "GA": {"XAF"}, "NE": {"XOF"}, "NG": {"NGN"}, "TD": {"XAF"},
        "MG": {"MGA"}, "SC": {"SCR"}}
