"""FeexPay's status tables and wire shapes: PROVIDERS.md 5.3 and 5.6, row by row."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from lipwa.common.money import Money
from lipwa.connectors.feexpay.mapping import (
    ErrorReply,
    LinkReply,
    Outcome,
    TransactionReply,
    WireFormatError,
    amount_money,
    initiate_http_outcome,
    status_outcome,
)
from lipwa.connectors.types import FailureCode, ResultStatus

from .stub import fixture

S, F = ResultStatus, FailureCode


@pytest.mark.parametrize("status, reason, expected", [
    ("PENDING", "", Outcome(S.PROCESSING)),
    ("SUCCESSFUL", "", Outcome(S.SUCCEEDED)),
    ("SUCCESS", "", Outcome(S.SUCCEEDED)),  # the other spelling some integrations see (5.3)
    ("successful", "", Outcome(S.SUCCEEDED)),
    ("FAILED", "LOW_BALANCE", Outcome(S.FAILED, F.INSUFFICIENT_FUNDS)),  # 5.3
    ("FAILED", "PAYER_NOT_FOUND", Outcome(S.FAILED, F.SUBSCRIBER_NOT_FOUND)),  # 5.3
    ("FAILED", "CANCELLED_BY_CUSTOMER", Outcome(S.CANCELLED, F.CUSTOMER_CANCELLED)),
    ("FAILED", "TIMEOUT", Outcome(S.EXPIRED, F.CUSTOMER_TIMEOUT)),
    ("FAILED", "INVALID_PIN", Outcome(S.FAILED, F.WRONG_PIN)),
    ("FAILED", "CARD_DECLINED", Outcome(S.FAILED, F.PROVIDER_DECLINED)),
    # 5.6: a reason mentioning cancel/refus means the customer said no.
    ("FAILED", "Transaction annulée par le client", Outcome(S.CANCELLED, F.CUSTOMER_CANCELLED)),
    ("FAILED", "USER_REFUSED", Outcome(S.CANCELLED, F.CUSTOMER_CANCELLED)),
    ("FAILED", "Paiement refusé", Outcome(S.CANCELLED, F.CUSTOMER_CANCELLED)),
    # FAILED is FeexPay's final answer: an unknown or missing reason only loses the detail.
    ("FAILED", "SOMETHING_NEW", Outcome(S.FAILED, F.PROVIDER_DECLINED)),
    ("FAILED", "", Outcome(S.FAILED, F.PROVIDER_DECLINED)),
    # Anything else is not evidence of anything: query again.
    ("EXPIRED", "", Outcome(S.UNKNOWN)),
    ("INITIATED", "", Outcome(S.UNKNOWN)),
])
def test_status_table(status, reason, expected):
    assert status_outcome(status, reason) == expected


def test_unknown_values_are_logged(caplog):
    caplog.set_level(logging.WARNING)
    status_outcome("REVERSED")
    status_outcome("FAILED", "NEW_REASON")
    assert "unknown FeexPay status 'REVERSED'" in caplog.text
    assert "unknown FeexPay failure reason 'NEW_REASON'" in caplog.text


@pytest.mark.parametrize("http_status, message, expected", [
    (503, "Service Unavailable", Outcome(S.FAILED, F.PROVIDER_UNAVAILABLE)),
    (429, "Too Many Attempts.", Outcome(S.FAILED, F.PROVIDER_UNAVAILABLE)),
    (408, "", Outcome(S.FAILED, F.PROVIDER_UNAVAILABLE)),
    (500, "Server Error", Outcome(S.UNKNOWN)),
    (502, "Bad Gateway", Outcome(S.UNKNOWN)),
    (504, "", Outcome(S.UNKNOWN)),
    (401, "Unauthenticated.", Outcome(S.FAILED, F.CONFIGURATION_ERROR)),
    (403, "This shop does not belong to this API key.", Outcome(S.FAILED, F.CONFIGURATION_ERROR)),
    (404, "Not found", Outcome(S.FAILED, F.CONFIGURATION_ERROR)),
    (422, "The phone number must start with 229 for this network.", Outcome(S.FAILED, F.INVALID_PHONE)),
    (422, "The amount must be an integer.", Outcome(S.FAILED, F.CONFIGURATION_ERROR)),
    (302, "", Outcome(S.UNKNOWN)),
])
def test_initiate_http_outcomes(http_status, message, expected):
    assert initiate_http_outcome(http_status, message) == expected


@pytest.mark.parametrize("name, status, reason, amount", [
    ("request_to_pay__pending", "PENDING", "", 5000),
    ("request_to_pay__failed_low_balance", "FAILED", "LOW_BALANCE", 5000),
    ("request_to_pay__successful", "SUCCESSFUL", "", 5000),
    ("status__successful", "SUCCESSFUL", "", 5000),
    ("status__success_spelling", "SUCCESS", "", None),  # amount is "not always present" (5.3)
    ("status__pending", "PENDING", "", 5000),
    ("status__failed_payer_not_found", "FAILED", "PAYER_NOT_FOUND", 5000),
])
def test_transaction_fixtures_parse(name, status, reason, amount):
    reply = TransactionReply.from_json(fixture(name))
    assert (reply.reference, reply.status, reply.reason, reply.amount) == (
        fixture(name)["reference"], status, reason, amount)


def test_the_message_comes_from_message_or_responsemsg():
    assert TransactionReply.from_json(fixture("status__failed_payer_not_found")).message == "Payeur introuvable"
    assert TransactionReply.from_json(fixture("request_to_pay__failed_low_balance")).message == "Solde insuffisant"


def test_a_numeric_reference_is_read_as_text():
    assert TransactionReply.from_json({"reference": 12345, "status": "PENDING"}).reference == "12345"


@pytest.mark.parametrize("data, words", [
    ([], "expected a JSON object, got an array"),
    ({"reference": "", "status": "PENDING"}, "reference must be a non-empty string"),
    ({"reference": True, "status": "PENDING"}, "reference must be a non-empty string"),
    ({"reference": "FXP-1", "status": 1}, "status must be a non-empty string"),
    ({"reference": "FXP-1", "status": "PENDING", "amount": {"value": 1}}, "amount must be a number"),
])
def test_malformed_transactions(data, words):
    with pytest.raises(WireFormatError) as excinfo:
        TransactionReply.from_json(data)
    assert words in str(excinfo.value)


def test_link_id_is_the_last_segment_of_url_pay():
    assert LinkReply.from_json(fixture("feexlink__created")).link_id == "6f1c2a9b8e7d6c5b4a3f"
    assert LinkReply.from_json({"urlPay": "https://checkout.feexpay.me/pay/abc123/"}).link_id == "abc123"


@pytest.mark.parametrize("data", [{}, {"urlPay": 7}, {"urlPay": "checkout.feexpay.me/x"},
                                  {"urlPay": "https://checkout.feexpay.me/"}, "https://x"])
def test_malformed_links(data):
    with pytest.raises(WireFormatError):
        LinkReply.from_json(data)


def test_error_reply_reads_json_or_plain_text():
    assert ErrorReply.from_body(422, {"message": "bad"}, '{"message": "bad"}') == ErrorReply(422, "bad")
    assert ErrorReply.from_body(503, None, " Service Unavailable\n") == ErrorReply(503, "Service Unavailable")
    assert len(ErrorReply.from_body(500, None, "x" * 1000).message) == 300


@pytest.mark.parametrize("value, currency, minor", [
    (5000, "XOF", 5000), ("5000", "XOF", 5000), (Decimal("5000.0"), "XAF", 5000), (25, "EUR", 2500),
    (None, "XOF", None),
])
def test_amounts_are_exact_whole_units(value, currency, minor):
    expected = None if minor is None else Money(minor, currency)
    assert amount_money(value, currency) == expected


@pytest.mark.parametrize("value", ["5000.5", "abc", 0, -100, Decimal("1e999")])
def test_bad_amounts(value):
    with pytest.raises(WireFormatError):
        amount_money(value, "XOF")
