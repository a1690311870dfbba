"""The checkout callback: every fixture parses as PROVIDERS.md 4.6 says, anything else is refused precisely."""

from __future__ import annotations

import json

import pytest

from lipwa.common.money import Money
from lipwa.connectors.azampay.webhooks import callback_decode, webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import FIXTURES, fixture, fixture_bytes

S, F = ResultStatus, FailureCode
REF = "8d0c0f4e1b2a43c5d6e7f8091a2b3c"
TX = "ab12cd34ef5678900fedcba987654321"

# fixture → (status, failure_code, receipt, amount in TZS minor units, payer, state, dedupe_key)
EXPECTED = {
    "callback__success": (S.SUCCEEDED, None, "QK52XYZ9PL", 100_000, "255754123456",
                          {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:success"),
    "callback__local_msisdn_and_number_amount": (S.SUCCEEDED, None, "7HJ2K9LM0P", 100_000, "255754123456",
                                                 {"transaction_id": TX, "provider": "Tigo"},
                                                 f"azampay:{REF}:success"),
    "callback__minimal": (S.SUCCEEDED, None, None, None, None, {}, f"azampay:{REF}:success"),
    "callback__insufficient_balance": (S.FAILED, F.INSUFFICIENT_FUNDS, None, 100_000, "255754123456",
                                       {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:failure"),
    "callback__cancelled": (S.CANCELLED, F.CUSTOMER_CANCELLED, None, 100_000, "255754123456",
                            {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:failure"),
    "callback__timeout": (S.EXPIRED, F.CUSTOMER_TIMEOUT, None, 100_000, "255754123456",
                          {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:failure"),
    "callback__wrong_pin": (S.FAILED, F.WRONG_PIN, None, 100_000, "255754123456",
                            {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:failure"),
    "callback__failure_without_reason": (S.FAILED, F.PROVIDER_DECLINED, None, 100_000, "255754123456",
                                         {"transaction_id": TX, "provider": "Mpesa"}, f"azampay:{REF}:failure"),
}


def inbound(body: bytes | dict) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(headers={"content-type": "application/json"}, body=raw, remote_addr="196.41.60.10")


def callback(**fields) -> dict:
    """The success fixture with fields replaced (a value of ... removes the field)."""
    body = fixture("callback__success")
    for key, value in fields.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def test_every_callback_fixture_has_an_expectation():
    assert {path.stem for path in FIXTURES.glob("callback__*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_callback_fixtures_parse(name):
    status, failure_code, receipt, amount_minor, payer, state, dedupe_key = EXPECTED[name]
    parsed = webhook_parse(inbound(fixture_bytes(name)))
    body = fixture(name)
    assert parsed.gateway_reference == REF == body["utilityref"], "the reference is our own externalId"
    assert parsed.dedupe_key == dedupe_key
    result = parsed.result
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == REF
    assert result.gateway_status == body["transactionstatus"]
    assert result.gateway_message == body.get("message", "")
    assert result.receipt_number == receipt
    assert result.amount == (Money(amount_minor, "TZS") if amount_minor is not None else None)
    assert result.payer == payer
    assert result.connector_state == state


def test_deliveries_of_the_same_event_share_a_dedupe_key_and_a_different_answer_does_not():
    first = webhook_parse(inbound(fixture_bytes("callback__success")))
    again = webhook_parse(inbound(json.dumps(callback(fspReferenceId="OTHER")).encode()))
    failed = webhook_parse(inbound(fixture_bytes("callback__insufficient_balance")))
    assert first.dedupe_key == again.dedupe_key != failed.dedupe_key


def test_status_case_does_not_change_the_dedupe_key():
    assert (webhook_parse(inbound(callback(transactionstatus="SUCCESS"))).dedupe_key
            == webhook_parse(inbound(callback())).dedupe_key)


@pytest.mark.parametrize("literal, minor", [('"1000"', 100_000), ('"1000.00"', 100_000), ("1000", 100_000),
                                            ("1000.50", 100_050), ('" 250 "', 25_000)])
def test_amounts_are_exact(literal, minor):
    raw = json.dumps(callback(amount="__AMOUNT__")).replace('"__AMOUNT__"', literal).encode()
    assert webhook_parse(inbound(raw)).result.amount == Money(minor, "TZS")


def test_an_unknown_status_is_unknown_not_failed():
    parsed = webhook_parse(inbound(callback(transactionstatus="reversed")))
    assert (parsed.result.status, parsed.result.failure_code) == (S.UNKNOWN, None)


def test_an_unparsable_msisdn_is_kept_as_sent():
    assert webhook_parse(inbound(callback(msisdn="2557****456"))).result.payer == "2557****456"


def test_numbers_where_strings_are_documented_are_read_as_digits():
    result = webhook_parse(inbound(callback(msisdn=255754123456, fspReferenceId=98765, reference=12345))).result
    assert (result.payer, result.receipt_number, result.connector_state["transaction_id"]) == (
        "255754123456", "98765", "12345")


def test_fields_we_do_not_read_are_not_checked():
    parsed = webhook_parse(inbound(callback(submerchantAcc={"id": 1}, additionalProperties="x")))
    assert parsed.result.status is S.SUCCEEDED


def test_unknown_keys_are_tolerated():
    decoded = callback_decode(json.dumps(callback(externalreference="x", newField={"a": 1})).encode())
    assert decoded.utilityref == REF


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON"),
    (b"utilityref=x", "not JSON"),
    (b"\xff\xfe{}", "not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (b"{}", "callback utilityref must be a string, but it is missing or null"),
    (callback(utilityref=...), "callback utilityref must be a string, but it is missing or null"),
    (callback(utilityref=123), "callback utilityref must be a string, but it is a number"),
    (callback(utilityref="  "), "callback utilityref is empty"),
    (callback(transactionstatus=...), "callback transactionstatus must be a string, but it is missing or null"),
    (callback(transactionstatus=True), "callback transactionstatus must be a string, but it is a boolean"),
    (callback(transactionstatus=""), "callback transactionstatus is empty"),
    (callback(message=["x"]), "callback message must be a string, but it is an array"),
    (callback(reference=[5]), "callback reference must be a string, but it is an array"),
    (callback(fspReferenceId=True), "callback fspReferenceId must be a string, but it is a boolean"),
    (callback(operator={}), "callback operator must be a string, but it is an object"),
    (callback(msisdn=[255]), "callback msisdn must be a string, but it is an array"),
    (callback(amount=True), "callback amount must be a string or number, but it is a boolean"),
    (callback(amount=[1]), "callback amount must be a string or number, but it is an array"),
    (callback(amount="1,000"), "callback amount '1,000' is not an amount in TZS"),
    (callback(amount="10.001"), "callback amount '10.001' is not an amount in TZS"),
    (callback(amount="-5"), "callback amount '-5' is not positive"),
    (callback(amount="0"), "callback amount '0' is not positive"),
    (callback(amount="NaN"), "is not an amount in TZS"),
])
def test_malformed_callbacks_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body))
    assert message in str(excinfo.value)


def test_verification_is_declared_impossible():
    # AzamPay documents no signature (4.6); an SDK's RSA scheme is unconfirmed, so even a body that carries a
    # "signature" is only a hint until a status query agrees.
    signed_looking = InboundRequest(headers={"x-signature": "abc"},
                                    body=json.dumps(callback(signature="c2ln")).encode())
    assert webhook_verify(signed_looking) is WebhookVerification.UNVERIFIABLE


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, json.loads(accepted.body)) == (200, {"success": True, "message": "Received"})
    assert (rejected.status_code, json.loads(rejected.body)) == (400, {"success": False, "message": "Rejected"})
    assert accepted.content_type == rejected.content_type == "application/json"
