"""The status tables against PROVIDERS.md §2, row by row, and the wire shapes against its samples.

The expected values are written out here again, not read from mapping.py, so that a changed table row fails a
test instead of silently changing what a payment becomes.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

import pytest

from lipwa.common.money import Money
from lipwa.connectors.mtn_momo.mapping import (
    FAILED_REASONS,
    INITIATE_REFUSALS,
    Answer,
    ApiUserInfo,
    TokenResponse,
    TransactionStatus,
    WireFormatError,
    active_of,
    amount_wire,
    api_key_of,
    holder_name_of,
    initiate_outcome,
    reason_of,
    status_outcome,
    x_reference_id,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import FIXTURES, fixture

S, F = ResultStatus, FailureCode

# -- X-Reference-Id ---------------------------------------------------------------------------------------

NAMESPACE = uuid.UUID("6f1d3c0e-8a4b-4e52-9c1a-2b7d5e9f0a31")  # never changes: callbacks depend on it
# (P) Known answers of our derivation: uuid5(namespace, "<kind>:<id>") with the v4 version and variant bits.
REFERENCE_VECTORS = [
    ("requesttopay", "att_01HZX5V9K3M4N5P6Q7R8S9T0VW", "3d76865f-710f-4c68-a76d-63190b4e9164"),
    ("requesttopay", "att_01TEST", "4ac5bf4e-493c-4b33-8066-636342c9d027"),
    ("refund", "rfd_01TEST", "0a2535ef-1cdc-48f5-8c20-0679cc0d3293"),
    ("transfer", "pyt_01TEST", "622a8d72-fd65-4e81-9557-adfb0fe8ee8a"),
]


@pytest.mark.parametrize("kind, operation_id, expected", REFERENCE_VECTORS)
def test_reference_known_answers(kind, operation_id, expected):
    assert x_reference_id(kind, operation_id) == expected


@pytest.mark.parametrize("kind, operation_id, expected", REFERENCE_VECTORS)
def test_reference_construction_by_hand(kind, operation_id, expected):
    """The derivation spelt out with hashlib: SHA-1 of namespace bytes + name (RFC 4122 §4.3), first 16 bytes,
    then the version nibble set to 4 and the variant bits to 10."""
    digest = bytearray(hashlib.sha1(NAMESPACE.bytes + f"{kind}:{operation_id}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    assert str(uuid.UUID(bytes=bytes(digest))) == expected


@pytest.mark.parametrize("operation_id", ["att_01TEST", "att_01HZX5V9K3M4N5P6Q7R8S9T0VW", "x", "ü" * 200])
def test_references_are_uuid_v4_as_mtn_requires(operation_id):
    reference = uuid.UUID(x_reference_id("requesttopay", operation_id))
    assert reference.version == 4 and reference.variant == uuid.RFC_4122
    assert str(reference) == x_reference_id("requesttopay", operation_id), "canonical lower-case form"


def test_references_differ_by_kind_and_id():
    references = {x_reference_id(kind, operation_id) for kind in ("requesttopay", "refund", "transfer")
                  for operation_id in ("a", "b")}
    assert len(references) == 6


# -- amounts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minor, currency, wire", [
    (1000, "UGX", "1000"), (1, "RWF", "1"), (2500, "XOF", "2500"),
    (1000, "EUR", "10"), (1050, "EUR", "10.50"), (1, "GHS", "0.01"), (123456, "ZMW", "1234.56"),
])
def test_amounts_are_major_unit_strings(minor, currency, wire):
    assert amount_wire(Money(minor, currency)) == wire


# -- tables -----------------------------------------------------------------------------------------------

# PROVIDERS.md 2.7, every FAILED reason row.
FAILED_REASON_ROWS = [
    ("APPROVAL_REJECTED", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("EXPIRED", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("TRANSACTION_CANCELED", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("NOT_ENOUGH_FUNDS", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("PAYER_LIMIT_REACHED", S.FAILED, F.LIMIT_EXCEEDED),
    ("PAYER_NOT_FOUND", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    ("PAYEE_NOT_FOUND", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    ("PAYEE_NOT_ALLOWED_TO_RECEIVE", S.FAILED, F.CONFIGURATION_ERROR),
    ("NOT_ALLOWED", S.FAILED, F.CONFIGURATION_ERROR),
    ("NOT_ALLOWED_TARGET_ENVIRONMENT", S.FAILED, F.CONFIGURATION_ERROR),
    ("INVALID_CALLBACK_URL_HOST", S.FAILED, F.CONFIGURATION_ERROR),
    ("INVALID_CURRENCY", S.FAILED, F.CONFIGURATION_ERROR),
    ("COULD_NOT_PERFORM_TRANSACTION", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("INTERNAL_PROCESSING_ERROR", S.FAILED, F.PROVIDER_DECLINED),
    ("SERVICE_UNAVAILABLE", S.FAILED, F.PROVIDER_UNAVAILABLE),
]


@pytest.mark.parametrize("reason, status, failure_code", FAILED_REASON_ROWS)
def test_failed_reason_table(reason, status, failure_code):
    outcome = status_outcome("FAILED", reason)
    assert (outcome.status, outcome.failure_code) == (status, failure_code)


def test_failed_reason_table_has_no_row_this_test_does_not_pin():
    assert set(FAILED_REASONS) == {row[0] for row in FAILED_REASON_ROWS}


@pytest.mark.parametrize("status, reason, expected", [
    ("PENDING", "", S.PROCESSING), ("PENDING", "ONGOING", S.PROCESSING), ("PENDING", "PAYER_DELAYED", S.PROCESSING),
    ("SUCCESSFUL", "", S.SUCCEEDED),
])
def test_non_failed_statuses(status, reason, expected):
    assert status_outcome(status, reason).status is expected


@pytest.mark.parametrize("status", ["CREATED", "REJECTED", "TIMEOUT", "", "successful"])
def test_unknown_statuses_are_unknown_never_failed_and_logged(status, caplog):
    with caplog.at_level(logging.WARNING, logger="lipwa.connectors.mtn_momo"):
        outcome = status_outcome(status)
    assert (outcome.status, outcome.failure_code) == (S.UNKNOWN, None)
    assert repr(status) in caplog.text


@pytest.mark.parametrize("reason", ["", "LOW_BALANCE_OR_SOMETHING_NEW"])
def test_failed_with_a_missing_or_new_reason_is_a_logged_generic_decline(reason, caplog):
    # FAILED is explicit: no money moved, whatever the reason. Only the reason is new.
    outcome = status_outcome("FAILED", reason)
    assert (outcome.status, outcome.failure_code) == (S.FAILED, F.PROVIDER_DECLINED)
    assert "unknown reason" in caplog.text


# PROVIDERS.md 2.4: (HTTP status, code) of the answer to a POST → outcome. CONFIRM = "ask for the reference now".
CONFIRM = "confirm"
INITIATE_ROWS = [
    (202, "", S.PROCESSING, None),
    (409, "RESOURCE_ALREADY_EXIST", CONFIRM, None),
    (409, "", CONFIRM, None),
    (400, "", S.FAILED, F.CONFIGURATION_ERROR),
    (400, "PAYER_NOT_FOUND", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    (401, "", S.FAILED, F.CONFIGURATION_ERROR),
    (403, "", S.FAILED, F.CONFIGURATION_ERROR),
    (404, "", S.FAILED, F.CONFIGURATION_ERROR),
    (408, "", S.FAILED, F.PROVIDER_UNAVAILABLE),
    (429, "", S.FAILED, F.PROVIDER_UNAVAILABLE),
    (500, "NOT_ALLOWED", S.FAILED, F.CONFIGURATION_ERROR),
    (500, "NOT_ALLOWED_TARGET_ENVIRONMENT", S.FAILED, F.CONFIGURATION_ERROR),
    (500, "INVALID_CALLBACK_URL_HOST", S.FAILED, F.CONFIGURATION_ERROR),
    (500, "INVALID_CURRENCY", S.FAILED, F.CONFIGURATION_ERROR),
    (500, "PAYER_NOT_FOUND", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    (500, "NOT_ENOUGH_FUNDS", S.FAILED, F.INSUFFICIENT_FUNDS),
    (500, "INTERNAL_PROCESSING_ERROR", CONFIRM, None),
    (500, "", CONFIRM, None),
    (503, "SERVICE_UNAVAILABLE", CONFIRM, None),
    (503, "", CONFIRM, None),
    (200, "", S.UNKNOWN, None),
    (201, "", S.UNKNOWN, None),
    (502, "", S.UNKNOWN, None),
    (504, "", S.UNKNOWN, None),
]


@pytest.mark.parametrize("http_status, code, status, failure_code", INITIATE_ROWS)
def test_initiate_table(http_status, code, status, failure_code):
    outcome = initiate_outcome(http_status, code)
    if status == CONFIRM:
        assert outcome.confirm and outcome.status is S.UNKNOWN
    else:
        assert (outcome.status, outcome.failure_code, outcome.confirm) == (status, failure_code, False)


def test_initiate_refusals_are_exactly_the_final_failures_that_create_nothing():
    assert set(INITIATE_REFUSALS) == {
        "NOT_ENOUGH_FUNDS", "PAYER_LIMIT_REACHED", "PAYER_NOT_FOUND", "PAYEE_NOT_FOUND",
        "PAYEE_NOT_ALLOWED_TO_RECEIVE", "NOT_ALLOWED", "NOT_ALLOWED_TARGET_ENVIRONMENT", "INVALID_CALLBACK_URL_HOST",
        "INVALID_CURRENCY"}


# -- wire shapes ------------------------------------------------------------------------------------------

FIXTURE_DECODERS = {
    "token__issued": TokenResponse.from_json,
    "apiuser__info": ApiUserInfo.from_json,
    "apikey__created": api_key_of,
    "accountholder__active": active_of,
    "basicuserinfo__name": holder_name_of,
    **{name: TransactionStatus.from_json for name in (
        "requesttopay_status__successful", "requesttopay_status__pending",
        "requesttopay_status__failed_internal_processing_error", "requesttopay_status__rejected_reason_object",
        "transfer_status__successful", "refund_status__successful")},
    **{name: (lambda data: Answer.from_json(data, 500)) for name in (
        "token__login_failed", "error__invalid_subscription_key", "error__invalid_access_token",
        "requesttopay__duplicate_reference", "requesttopay__invalid_currency",
        "requesttopay__invalid_callback_url_host", "requesttopay__not_allowed_target_environment",
        "requesttopay__internal_processing_error", "requesttopay__service_unavailable",
        "requesttopay_status__not_found")},
}


def test_every_response_fixture_is_decoded_here():
    names = {path.stem for path in FIXTURES.glob("*.json") if not path.stem.startswith("callback__")}
    assert names == set(FIXTURE_DECODERS)


@pytest.mark.parametrize("name", sorted(FIXTURE_DECODERS))
def test_response_fixtures_decode(name):
    assert FIXTURE_DECODERS[name](fixture(name)) not in (None, "")


def test_the_providers_status_sample():
    status = TransactionStatus.from_json(fixture("requesttopay_status__failed_internal_processing_error"))
    assert status == TransactionStatus(status="FAILED", reason_code="INTERNAL_PROCESSING_ERROR",
                                       financial_transaction_id="1927264368", external_id="12345678",
                                       amount=Money(5000, "EUR"), party_id="46733123450")


def test_refund_and_transfer_bodies_name_the_payee():
    assert TransactionStatus.from_json(fixture("refund_status__successful")).party_id == "256772123456"
    assert TransactionStatus.from_json(fixture("transfer_status__successful")).amount == Money(5000, "UGX")


@pytest.mark.parametrize("value, expected", [
    (None, ("", "")), ("APPROVAL_REJECTED", ("APPROVAL_REJECTED", "")),
    ({"code": "PAYER_NOT_FOUND", "message": "Payer not found"}, ("PAYER_NOT_FOUND", "Payer not found")),
    ({"message": "no code"}, ("", "no code")),
])
def test_reason_is_read_as_a_string_or_an_object(value, expected):
    assert reason_of(value) == expected


@pytest.mark.parametrize("body, message", [
    ([], "a status body must be a JSON object, not an array"),
    ({}, "status must be a non-empty string, but it is missing or null"),
    ({"status": 1}, "status must be a non-empty string, but it is a number"),
    ({"status": "FAILED", "reason": ["x"]}, "reason must be a string or an object"),
    ({"status": "SUCCESSFUL", "amount": "ten", "currency": "UGX"}, "amount 'ten' is not an amount in 'UGX'"),
    ({"status": "SUCCESSFUL", "amount": "10.5", "currency": "UGX"}, "is not an amount in 'UGX'"),
    ({"status": "SUCCESSFUL", "amount": "0", "currency": "UGX"}, "amount '0' is not positive"),
    ({"status": "SUCCESSFUL", "amount": "10", "currency": "XYZ"}, "is not an amount in 'XYZ'"),
    ({"status": "SUCCESSFUL", "amount": "10"}, "currency must be a string"),
    ({"status": "SUCCESSFUL", "amount": True, "currency": "UGX"}, "amount must be a string"),
    ({"status": "SUCCESSFUL", "payer": "256772123456"}, "payer must be an object"),
    ({"status": "SUCCESSFUL", "externalId": ["x"]}, "externalId must be a string"),
])
def test_malformed_status_bodies_are_refused(body, message):
    with pytest.raises(WireFormatError) as excinfo:
        TransactionStatus.from_json(body)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("body, http_status, expected", [
    ({"code": "INVALID_CURRENCY", "message": "Currency not supported."}, 500,
     Answer(500, "INVALID_CURRENCY", "Currency not supported.")),
    ({"statusCode": 401, "message": "Access denied"}, 401, Answer(401, "", "Access denied")),
    ({"error": "login_failed"}, 401, Answer(401, "login_failed")),
    (None, 400, Answer(400)),
    ("text", 502, Answer(502)),
])
def test_answers(body, http_status, expected):
    assert Answer.from_json(body, http_status) == expected


@pytest.mark.parametrize("expires_in, seconds", [(3600, 3600), ("3600", 3600), (None, 3600), ("soon", 3600),
                                                 (60, 60)])
def test_token_expiry(expires_in, seconds):
    assert TokenResponse.from_json({"access_token": "abc", "expires_in": expires_in}).expires_in_seconds == seconds


def test_token_response_hides_the_token():
    token = TokenResponse.from_json(fixture("token__issued"))
    assert token.access_token.startswith("eyJ0eXAi")
    assert "eyJ0" not in repr(token)
    with pytest.raises(WireFormatError, match="access_token"):
        TokenResponse.from_json({"expires_in": 3600})


def test_account_holder_shapes():
    assert active_of({"result": False}) is False
    with pytest.raises(WireFormatError, match="result must be a boolean"):
        active_of({"result": "true"})
    assert holder_name_of({"name": "Jane N"}) == "Jane N"
    assert holder_name_of({"given_name": "Jane"}) == "Jane"
    assert holder_name_of([]) == ""
    with pytest.raises(WireFormatError, match="apiKey"):
        api_key_of({})
