"""The STK callback: every fixture parses as PROVIDERS.md 1.5 says, anything else is refused precisely."""

from __future__ import annotations

import json

import pytest

from lipwa.common.money import Money
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.mpesa.webhooks import stk_callback_decode, webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import FIXTURES, fixture, fixture_bytes

S, F = ResultStatus, FailureCode

# fixture → (status, failure_code, receipt, amount in KES minor units, payer, dedupe_key)
EXPECTED = {
    "stk_callback__succeeded": (S.SUCCEEDED, None, "NLJ7RT61SV", 100, "254708374149",
                                "stk:ws_CO_191220191020363925:0"),
    "stk_callback__amount_as_float": (S.SUCCEEDED, None, "NLJ7RT61SV", 100, "254708374149",
                                      "stk:ws_CO_191220191020363925:0"),
    "stk_callback__balance_item_without_value": (S.SUCCEEDED, None, "MKK61H8Q2R", 5000, "254722000000",
                                                 "stk:ws_CO_20112018134456632:0"),
    "stk_callback__cancelled": (S.CANCELLED, F.CUSTOMER_CANCELLED, None, None, None,
                                "stk:ws_CO_21072024125243250722943992:1032"),
    "stk_callback__insufficient_funds": (S.FAILED, F.INSUFFICIENT_FUNDS, None, None, None,
                                         "stk:ws_CO_191220191020363926:1"),
    "stk_callback__customer_unreachable": (S.EXPIRED, F.CUSTOMER_TIMEOUT, None, None, None,
                                           "stk:ws_CO_191220191020363927:1037"),
    "stk_callback__wrong_pin": (S.FAILED, F.WRONG_PIN, None, None, None, "stk:ws_CO_191220191020363928:2001"),
    "stk_callback__operator_does_not_exist": (S.FAILED, F.CONFIGURATION_ERROR, None, None, None,
                                              "stk:ws_CO_191220191020363929:SFC_IC0003"),
}


def inbound(body: bytes | dict) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(headers={"content-type": "application/json"}, body=raw, remote_addr="196.201.214.200")


def callback(**stk) -> dict:
    """The success fixture with stkCallback fields replaced (a value of ... removes the field)."""
    body = fixture("stk_callback__succeeded")
    for key, value in stk.items():
        if value is ...:
            body["Body"]["stkCallback"].pop(key, None)
        else:
            body["Body"]["stkCallback"][key] = value
    return body


def with_items(*items: dict) -> dict:
    return callback(CallbackMetadata={"Item": list(items)})


def test_every_callback_fixture_has_an_expectation():
    assert {path.stem for path in FIXTURES.glob("stk_callback__*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_callback_fixtures_parse(name):
    status, failure_code, receipt, amount_minor, payer, dedupe_key = EXPECTED[name]
    parsed = webhook_parse(inbound(fixture_bytes(name)))
    stk = fixture(name)["Body"]["stkCallback"]
    assert parsed.gateway_reference == stk["CheckoutRequestID"]
    assert parsed.dedupe_key == dedupe_key
    result = parsed.result
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == stk["CheckoutRequestID"]
    assert result.gateway_status == str(stk["ResultCode"])
    assert result.gateway_message == stk["ResultDesc"]
    assert result.receipt_number == receipt
    assert result.amount == (Money(amount_minor, "KES") if amount_minor is not None else None)
    assert result.payer == payer
    assert result.connector_state == {"merchant_request_id": stk["MerchantRequestID"]}


def test_items_are_read_by_name_not_position():
    body = with_items({"Name": "PhoneNumber", "Value": 254708374149}, {"Name": "Balance"},
                      {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"}, {"Name": "Amount", "Value": 250},
                      {"Name": "SomethingNew", "Value": "x"})
    decoded = stk_callback_decode(json.dumps(body).encode())
    assert (decoded.amount, decoded.receipt_number, decoded.phone_number) == (
        Money(25000, "KES"), "NLJ7RT61SV", "254708374149")
    assert decoded.metadata["SomethingNew"] == "x"
    assert "Balance" not in decoded.metadata


@pytest.mark.parametrize("literal, minor", [("1", 100), ("1.00", 100), ("1.5", 150), ("249999.99", 24999999),
                                            ('"10.00"', 1000), ("1e2", 10000)])
def test_amounts_are_exact(literal, minor):
    original = fixture_bytes("stk_callback__succeeded")
    assert original.count(b'"Value": 1\n') == 1, "the fixture's Amount item is the text this test replaces"
    raw = original.replace(b'"Value": 1\n', f'"Value": {literal}\n'.encode())
    assert webhook_parse(inbound(raw)).result.amount == Money(minor, "KES")


def test_a_masked_phone_number_is_kept_as_sent():
    body = with_items({"Name": "Amount", "Value": 1}, {"Name": "PhoneNumber", "Value": "2547 ***** 149"})
    assert webhook_parse(inbound(body)).result.payer == "2547 ***** 149"


def test_a_success_without_metadata_still_parses():
    result = webhook_parse(inbound(callback(CallbackMetadata=...))).result
    assert result.status is S.SUCCEEDED
    assert (result.amount, result.receipt_number, result.payer) == (None, None, None)


def test_an_unknown_result_code_is_unknown_not_failed():
    parsed = webhook_parse(inbound(callback(ResultCode=4242, CallbackMetadata=...)))
    assert parsed.result.status is S.UNKNOWN
    assert parsed.dedupe_key == "stk:ws_CO_191220191020363925:4242"


def test_a_string_result_code_gives_the_same_dedupe_key_as_a_number():
    as_number = webhook_parse(inbound(callback(ResultCode=0)))
    as_string = webhook_parse(inbound(callback(ResultCode="0")))
    assert as_number.dedupe_key == as_string.dedupe_key
    assert as_number.result.status is as_string.result.status is S.SUCCEEDED


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON"),
    (b"ResultCode=0", "not JSON"),
    (b"\xff\xfe{}", "not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (b"{}", "the callback's Body is missing or null"),
    (b'{"Body": "x"}', "the callback's Body is a string"),
    (b'{"Body": {}}', "Body.stkCallback is missing or null"),
    (b'{"Body": {"stkCallback": []}}', "Body.stkCallback is an array"),
    (callback(CheckoutRequestID=...), "stkCallback.CheckoutRequestID must be a string, but it is missing or null"),
    (callback(CheckoutRequestID=12345), "stkCallback.CheckoutRequestID must be a string, but it is a number"),
    (callback(CheckoutRequestID="  "), "stkCallback.CheckoutRequestID is empty"),
    (callback(MerchantRequestID=["x"]), "stkCallback.MerchantRequestID must be a string, but it is an array"),
    (callback(ResultDesc=0), "stkCallback.ResultDesc must be a string, but it is a number"),
    (callback(ResultCode=...), "stkCallback.ResultCode is missing"),
    (callback(ResultCode=None), "stkCallback.ResultCode must be a number or a code"),
    (callback(ResultCode=True), "stkCallback.ResultCode must be a number or a code"),
    (callback(ResultCode="10 32"), "stkCallback.ResultCode must be a number or a code"),
    (callback(CallbackMetadata=[]), "stkCallback.CallbackMetadata must be an object with an Item list"),
    (callback(CallbackMetadata={"Item": {}}), "stkCallback.CallbackMetadata must be an object with an Item list"),
    (with_items({"Value": 1}), "CallbackMetadata.Item[0] must be an object with a string Name"),
    (with_items({"Name": "Amount", "Value": 1}, "Amount"), "CallbackMetadata.Item[1] must be an object"),
    (with_items({"Name": "Amount", "Value": True}), "Amount must be a number, but it is a boolean"),
    (with_items({"Name": "Amount", "Value": [1]}), "Amount must be a number, but it is an array"),
    (with_items({"Name": "Amount", "Value": "one"}), "Amount 'one' is not an amount in KES"),
    (with_items({"Name": "Amount", "Value": "1.001"}), "Amount '1.001' is not an amount in KES"),
    (with_items({"Name": "Amount", "Value": -5}), "Amount '-5' is not positive"),
    (with_items({"Name": "Amount", "Value": 0}), "Amount '0' is not positive"),
])
def test_malformed_callbacks_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body))
    assert message in str(excinfo.value)


def test_verification_is_declared_impossible():
    # Daraja signs nothing (1.5): whatever the headers say, the callback is only a hint until a query agrees.
    signed_looking = InboundRequest(headers={"x-signature": "abc"}, body=fixture_bytes("stk_callback__succeeded"))
    assert webhook_verify(signed_looking) is WebhookVerification.UNVERIFIABLE


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, json.loads(accepted.body)) == (200, {"ResultCode": 0, "ResultDesc": "Accepted"})
    assert (rejected.status_code, json.loads(rejected.body)) == (400, {"ResultCode": 1, "ResultDesc": "Rejected"})
    assert accepted.content_type == rejected.content_type == "application/json"
