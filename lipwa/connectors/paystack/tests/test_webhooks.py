"""Paystack webhooks: the HMAC-SHA512 signature against known answers, parsing, and precise refusals."""

from __future__ import annotations

import json

import pytest

from lipwa.common.money import Money
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.paystack.webhooks import signature, webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.types import InboundRequest, ResultStatus, WebhookVerification

from .stub import REFERENCE, fixture, fixture_bytes

# Known answers computed outside Python with `openssl dgst -sha512 -hmac <key>` over the exact bytes
# (PROVIDERS.md 6.7: lower-case hex HMAC-SHA512 of the raw body, keyed with the secret key).
SMALL_BODY = b'{"event":"charge.success","data":{"reference":"ref-1"}}'
SMALL_BODY_SIM_SECRET = ("6e8a6bbbc6822255dc9a17b5a1986fcb05f38dcae9e2af7fb5aa272329e18b39"
                         "076a0128f82f4406308b085e5a9388ca3963f5389d375c98042ccb5d7f32abdf")
SMALL_BODY_SK_TEST_ABC = ("a3adb35929b90f2fb7cb37f2e2d44fa22080c2435c70e8349d52e955ec3527df"
                          "6063fe03095431e22add8f9323a734923be6a3628268a02375e68d936e77a5bd")
CARD_FIXTURE_SIM_SECRET = ("199812a0575f92c4c680f85e3c0f0655ce5f37b2c6a4400a99c480a94ac73d32"
                           "a6c055a8e81c8a80450c1901f83d34d57f4fd040e3da769cb1d98c3f6917ebe2")


def inbound(body: bytes | dict, sig: str | None = None) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if sig is not None:
        headers["x-paystack-signature"] = sig
    return InboundRequest(headers=headers, body=raw, remote_addr="52.31.139.75")


def test_signature_known_answers():
    assert signature("sim_secret", SMALL_BODY) == SMALL_BODY_SIM_SECRET
    assert signature("sk_test_abc", SMALL_BODY) == SMALL_BODY_SK_TEST_ABC
    assert signature("sim_secret", fixture_bytes("charge_success__card")) == CARD_FIXTURE_SIM_SECRET


def test_a_correct_signature_is_verified():
    assert webhook_verify(inbound(SMALL_BODY, SMALL_BODY_SIM_SECRET), "sim_secret") is WebhookVerification.VERIFIED
    # Hex is hex: a sender that upper-cases it still signed the same bytes.
    upper = inbound(SMALL_BODY, SMALL_BODY_SIM_SECRET.upper())
    assert webhook_verify(upper, "sim_secret") is WebhookVerification.VERIFIED


@pytest.mark.parametrize("body, sig, secret", [
    (SMALL_BODY, None, "sim_secret"),  # unsigned: Paystack always signs
    (SMALL_BODY, "", "sim_secret"),
    (SMALL_BODY, SMALL_BODY_SK_TEST_ABC, "sim_secret"),  # signed with another integration's key
    (SMALL_BODY.replace(b"ref-1", b"ref-2"), SMALL_BODY_SIM_SECRET, "sim_secret"),  # tampered
    (json.dumps(json.loads(SMALL_BODY)).encode(), SMALL_BODY_SIM_SECRET, "sim_secret"),  # re-serialised
    (SMALL_BODY, SMALL_BODY_SIM_SECRET, ""),  # an account without a secret can verify nothing
])
def test_anything_else_is_rejected(body, sig, secret):
    assert webhook_verify(inbound(body, sig), secret) is WebhookVerification.REJECTED


def test_card_charge_success():
    parsed = webhook_parse(inbound(fixture_bytes("charge_success__card")))
    assert parsed.gateway_reference == REFERENCE
    assert parsed.dedupe_key == "charge.success:4099260516"
    result = parsed.result
    assert (result.status, result.failure_code, result.amount) == (ResultStatus.SUCCEEDED, None, Money(10_000, "NGN"))
    assert (result.gateway_status, result.gateway_message) == ("success", "Successful")
    assert result.connector_state == {"authorization_code": "AUTH_8dfhjjdt", "customer_email": "ada@example.com",
                                      "card_last4": "4081", "card_brand": "visa"}


def test_mobile_money_charge_success_keeps_the_receipt_and_no_reusable_authorization():
    result = webhook_parse(inbound(fixture_bytes("charge_success__mobile_money"))).result
    assert (result.status, result.amount, result.receipt_number) == (
        ResultStatus.SUCCEEDED, Money(10_000, "KES"), "SGL7RT61SV")
    assert result.connector_state == {}


def test_metadata_of_any_shape_is_fine():
    parsed = webhook_parse(inbound(fixture_bytes("charge_success__metadata_zero")))
    assert parsed.result.status is ResultStatus.SUCCEEDED


def test_deliveries_of_one_event_share_a_dedupe_key():
    body = fixture_bytes("charge_success__card")
    assert webhook_parse(inbound(body)).dedupe_key == webhook_parse(inbound(body)).dedupe_key


def test_a_refund_event_names_the_refund_and_its_outcome():
    parsed = webhook_parse(inbound(fixture_bytes("refund_processed__partial")))
    assert (parsed.kind, parsed.result) == ("refund", None)
    assert parsed.operation.status is ResultStatus.SUCCEEDED
    assert parsed.gateway_reference == parsed.operation.gateway_reference
    assert REFERENCE in parsed.operation.gateway_message
    assert parsed.dedupe_key == webhook_parse(inbound(fixture_bytes("refund_processed__partial"))).dedupe_key


@pytest.mark.parametrize("body, words", [
    (b"not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    ({"data": {}}, "no event name"),
    ({"event": "charge.success"}, "no data object"),
    ({"event": "charge.success", "data": []}, "no data object"),
    (fixture("charge_dispute_create__opened"), "'charge.dispute.create' is not a charge outcome"),
    ({"event": "transfer.success", "data": {"reference": "x"}}, "only charge.success"),
    ({"event": "charge.success", "data": {"reference": REFERENCE}}, "status must be a non-empty string"),
    ({"event": "charge.success", "data": {"reference": REFERENCE, "status": "failed", "amount": 1,
                                          "currency": "NGN"}}, "not 'success'"),
    ({"event": "charge.success", "data": {"reference": REFERENCE, "status": "success"}}, "no usable amount"),
    ({"event": "charge.success", "data": {"reference": REFERENCE, "status": "success", "amount": 100,
                                          "currency": "XOF"}}, "no usable amount"),
    ({"event": "charge.success", "data": {"reference": REFERENCE, "status": "success", "amount": 1.5,
                                          "currency": "NGN"}}, "amount must be an integer"),
])
def test_malformed_bodies_are_refused_precisely(body, words):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body))
    assert words in str(excinfo.value)


def test_ack_is_a_plain_200():
    assert webhook_ack(True).status_code == 200
    assert webhook_ack(False).status_code == 400
