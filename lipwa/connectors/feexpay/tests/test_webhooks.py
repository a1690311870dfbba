"""FeexPay's webhook: HMAC verification (P), parsing of the 5.4 field set, deduplication by webhook id."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from lipwa.common.money import Money
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.feexpay.webhooks import webhook_ack, webhook_parse, webhook_signature, webhook_verify
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import FIXTURES, fixture, fixture_bytes

S, F, V = ResultStatus, FailureCode, WebhookVerification
SECRET = "sim_secret"
# A known-answer vector computed outside Python:
#   printf '%s' '{"reference":"FXP-1","status":"SUCCESSFUL"}' | openssl dgst -sha256 -hmac sim_secret
KAT_BODY = b'{"reference":"FXP-1","status":"SUCCESSFUL"}'
KAT_SIGNATURE = "732aae1bf992154a19c03e6a1fe228ef9b3649aeecceb12542f8c6cba9425e98"


def signed(body: bytes | dict, secret: str = SECRET, **headers: str) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return InboundRequest(headers={"content-type": "application/json", "x-webhook-signature": signature, **headers},
                          body=raw)


def unsigned(body: bytes | dict, **headers: str) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(headers={"content-type": "application/json", **headers}, body=raw)


# -- verification ---------------------------------------------------------------------------------------------


def test_signature_known_answer():
    assert webhook_signature(SECRET, KAT_BODY) == KAT_SIGNATURE
    assert webhook_verify(InboundRequest(headers={"x-webhook-signature": KAT_SIGNATURE}, body=KAT_BODY),
                          SECRET) is V.VERIFIED


def test_a_matching_signature_is_verified():
    assert webhook_verify(signed(fixture_bytes("webhook__successful")), SECRET) is V.VERIFIED


def test_upper_case_hex_and_surrounding_spaces_are_tolerated():
    inbound = signed(fixture_bytes("webhook__successful"))
    loud = InboundRequest(headers={"x-webhook-signature": f" {inbound.headers['x-webhook-signature'].upper()} "},
                          body=inbound.body)
    assert webhook_verify(loud, SECRET) is V.VERIFIED


@pytest.mark.parametrize("inbound", [
    unsigned(fixture_bytes("webhook__successful")),  # missing: FeexPay sends none by default (5.4), lipwa needs one
    signed(fixture_bytes("webhook__successful"), secret="another_secret"),
    InboundRequest(headers={"x-webhook-signature": "not-hex"}, body=fixture_bytes("webhook__successful")),
    # 5.8's Authorization header alone is not a signature (and the core does not even keep it).
    unsigned(fixture_bytes("webhook__successful"), authorization="Bearer sim_secret"),
])
def test_missing_or_wrong_signatures_are_rejected(inbound):
    assert webhook_verify(inbound, SECRET) is V.REJECTED


def test_a_signature_over_another_body_is_rejected():
    genuine = signed(fixture_bytes("webhook__successful"))
    tampered = fixture_bytes("webhook__successful").replace(b"5000", b"50")
    assert webhook_verify(InboundRequest(headers=genuine.headers, body=tampered), SECRET) is V.REJECTED


def test_an_account_without_a_secret_rejects_everything():
    assert webhook_verify(signed(fixture_bytes("webhook__successful"), secret=""), "") is V.REJECTED


# -- parsing --------------------------------------------------------------------------------------------------

# fixture → (gateway_reference, status, failure_code, amount, payer, receipt, dedupe_key)
EXPECTED = {
    "webhook__successful": ("FXP-2b1c7e9a-4d3f-4a8e-9f61-0c5d2e7b8a14", S.SUCCEEDED, None, Money(5000, "XOF"),
                            "2290197444893", "12345678901", "webhook:whk_3f9a1c0b7e2d4a6f8c1b0e9d"),
    "webhook__failed_low_balance": ("FXP-7f0e3b2c-1a9d-4c6e-8b5f-3d2a1e0c9b87", S.FAILED, F.INSUFFICIENT_FUNDS,
                                    Money(5000, "XOF"), "2250501234567", None,
                                    "webhook:whk_0d1e2f3a4b5c6d7e8f9a0b1c"),
    "webhook__observed_without_id": ("FXP-5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", S.SUCCEEDED, None,
                                     Money(10000, "XOF"), "22890123456", "TG240514100211",
                                     "transaction:FXP-5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d:SUCCESSFUL:"),
    # A card payment names its link: the attempt knows the link, the transaction is kept for status queries.
    "webhook__card_successful": ("6f1c2a9b8e7d6c5b4a3f", S.SUCCEEDED, None, None, None, None,
                                 "webhook:whk_9c8b7a6f5e4d3c2b1a0f9e8d"),
}


def test_every_webhook_fixture_has_an_expectation():
    assert {path.stem for path in FIXTURES.glob("webhook__*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_webhook_fixtures_parse(name):
    reference, status, failure_code, amount, payer, receipt, dedupe_key = EXPECTED[name]
    parsed = webhook_parse(signed(fixture_bytes(name)))
    assert (parsed.gateway_reference, parsed.dedupe_key) == (reference, dedupe_key)
    result = parsed.result
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, reference)
    assert (result.amount, result.payer, result.receipt_number) == (amount, payer, receipt)


def test_a_card_webhook_keeps_the_transaction_reference():
    result = webhook_parse(signed(fixture_bytes("webhook__card_successful"))).result
    assert result.connector_state == {"reference": "FXP-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}


def test_a_failure_keeps_the_reason_for_support():
    result = webhook_parse(signed(fixture_bytes("webhook__failed_low_balance"))).result
    assert (result.gateway_status, result.gateway_message) == ("FAILED LOW_BALANCE", "Solde insuffisant")


def test_xaf_countries_read_amounts_in_xaf():
    body = {**fixture("webhook__successful"), "phoneNumber": "237671234567", "amount": 2500}
    assert webhook_parse(signed(body)).result.amount == Money(2500, "XAF")


def test_an_unplaceable_payer_leaves_the_amount_out():
    body = {**fixture("webhook__successful"), "phoneNumber": "2290197****93"}
    result = webhook_parse(signed(body)).result
    assert (result.payer, result.amount) == ("2290197****93", None)


def test_redeliveries_share_a_dedupe_key_and_events_do_not():
    first = webhook_parse(signed(fixture_bytes("webhook__successful")))
    again = webhook_parse(signed(fixture_bytes("webhook__successful")))
    other = webhook_parse(signed({**fixture("webhook__successful"), "webhook_id": "whk_other"}))
    assert first.dedupe_key == again.dedupe_key != other.dedupe_key


def test_the_webhook_id_header_is_used_when_the_body_has_none():
    body = {k: v for k, v in fixture("webhook__successful").items() if k != "webhook_id"}
    assert webhook_parse(signed(body, **{"x-webhook-id": "whk_from_header"})).dedupe_key == "webhook:whk_from_header"


def test_a_header_id_that_contradicts_the_signed_body_is_refused():
    with pytest.raises(WebhookParseError, match="X-Webhook-Id does not match the body's webhook_id"):
        webhook_parse(signed(fixture_bytes("webhook__successful"), **{"x-webhook-id": "whk_forged"}))


def test_an_unknown_status_is_unknown_not_failed():
    parsed = webhook_parse(signed({**fixture("webhook__successful"), "status": "REVERSED"}))
    assert parsed.result.status is S.UNKNOWN


def _without(key: str) -> dict:
    return {k: v for k, v in fixture("webhook__successful").items() if k != key}


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON"),
    (b"reference=FXP-1", "not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (_without("reference"), "reference must be a non-empty string, but it is missing or null"),
    ({**fixture("webhook__successful"), "reference": "  "}, "reference must be a non-empty string"),
    ({**fixture("webhook__successful"), "reference": ["x"]}, "reference must be a non-empty string, but it is an"),
    (_without("status"), "status must be a non-empty string, but it is missing or null"),
    ({**fixture("webhook__successful"), "status": 1}, "status must be a non-empty string, but it is a number"),
    ({**fixture("webhook__successful"), "amount": True}, "amount must be a number, but it is a boolean"),
    ({**fixture("webhook__successful"), "amount": "cinq mille"}, "amount 'cinq mille' is not an amount in XOF"),
    ({**fixture("webhook__successful"), "amount": 50.5}, "amount '50.5' is not an amount in XOF"),
    ({**fixture("webhook__successful"), "amount": 0}, "amount '0' is not positive"),
    ({**fixture("webhook__successful"), "reason": {"code": 1}}, "reason must be a string, but it is an object"),
    ({**fixture("webhook__successful"), "webhook_id": ["a"]}, "webhook_id must be a string, but it is an array"),
])
def test_malformed_webhooks_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(signed(body))
    assert message in str(excinfo.value)


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, json.loads(accepted.body)) == (200, {"status": "received"})
    assert (rejected.status_code, json.loads(rejected.body)) == (400, {"status": "rejected"})
