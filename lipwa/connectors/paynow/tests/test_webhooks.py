"""The status update (PROVIDERS.md 7.5): hash-verified or rejected, parsed exactly, refused precisely."""

from __future__ import annotations

import pytest

from lipwa.common.money import Money
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.paynow.webhooks import status_update_decode, webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import KEY, fixture_body, signed, unsigned

S, F, V = ResultStatus, FailureCode, WebhookVerification
POLL = "https://www.paynow.co.zw/Interface/CheckPayment/?guid=3cb27f4b-df2c-4d2b-9c9b-7f4c2a5a0b11"


def inbound(body: bytes) -> InboundRequest:
    return InboundRequest(headers={"content-type": "application/x-www-form-urlencoded"}, body=body)


def update(status: str = "Paid", **fields: str) -> list[tuple[str, str]]:
    values = {"reference": "att_01TEST", "amount": "10.00", "paynowreference": "4,218,339", "pollurl": POLL,
              "status": status} | fields
    return [(key, value) for key, value in values.items() if value is not None]


@pytest.mark.parametrize("name, verification", [
    ("status_update__paid", V.VERIFIED),
    ("status_update__cancelled", V.VERIFIED),
    ("status_update__failed", V.VERIFIED),
    ("status_update__awaiting_delivery", V.VERIFIED),
    ("status_update__disputed", V.VERIFIED),
    # Right hash, but not final: a hint, confirmed by polling, so the customer's next action is kept.
    ("status_update__sent", V.UNVERIFIABLE),
    ("status_update__wrong_hash", V.REJECTED),
])
def test_verification(name, verification):
    assert webhook_verify(inbound(fixture_body(name)), KEY) is verification


def test_the_integration_key_matters():
    assert webhook_verify(inbound(fixture_body("status_update__paid")), "another-key") is V.REJECTED


@pytest.mark.parametrize("body", [unsigned(update()), signed(update())[:-10], b"\xff", b"", b"not a form",
                                  signed(update()) + b"&hash=ABC"])
def test_unsigned_truncated_or_unreadable_updates_are_rejected(body):
    assert webhook_verify(inbound(body), KEY) is V.REJECTED


def test_a_tampered_amount_is_rejected():
    body = fixture_body("status_update__paid").replace(b"amount=10.00", b"amount=1000.00")
    assert webhook_verify(inbound(body), KEY) is V.REJECTED


@pytest.mark.parametrize("name, status, failure_code", [
    ("status_update__paid", S.SUCCEEDED, None),
    ("status_update__awaiting_delivery", S.SUCCEEDED, None),
    ("status_update__cancelled", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("status_update__failed", S.FAILED, F.PROVIDER_DECLINED),
    ("status_update__sent", S.PROCESSING, None),
])
def test_parse(name, status, failure_code):
    parsed = webhook_parse(inbound(fixture_body(name)), "USD")
    result = parsed.result
    assert (result.status, result.failure_code) == (status, failure_code)
    assert parsed.gateway_reference == result.gateway_reference == "att_01HZX5V9K3M4N5P6Q7R8S9T0VW"
    assert (result.amount, result.receipt_number) == (Money(1000, "USD"), "4,218,339")
    assert result.connector_state == {"pollurl": POLL, "paynow_reference": "4,218,339"}


def test_the_amount_takes_the_integrations_currency():
    assert webhook_parse(inbound(signed(update())), "ZWG").result.amount == Money(1000, "ZWG")


def test_dedupe_keys_are_equal_for_repeats_and_differ_by_status():
    paid = webhook_parse(inbound(signed(update("Paid"))), "USD").dedupe_key
    assert paid == webhook_parse(inbound(signed(update("Paid"))), "USD").dedupe_key
    assert paid == webhook_parse(inbound(signed(update("PAID"))), "USD").dedupe_key
    assert paid != webhook_parse(inbound(signed(update("Delivered"))), "USD").dedupe_key
    assert paid == "status:att_01TEST:4,218,339:paid"


def test_an_unknown_status_is_unknown_not_failed():
    assert webhook_parse(inbound(signed(update("Reversed"))), "USD").result.status is S.UNKNOWN


def test_keys_are_case_insensitive_and_missing_optional_fields_are_fine():
    body = signed([("Reference", "att_01TEST"), ("Status", "Paid")])
    result = webhook_parse(inbound(body), "USD").result
    assert (result.status, result.amount, result.receipt_number, result.connector_state) == (
        S.SUCCEEDED, None, None, {})


@pytest.mark.parametrize("body, message", [
    (b"", "the status update is empty"),
    (b"\xff\xfe", "not a Paynow form body"),
    (b'{"status": "Paid"}', "not a Paynow form body"),
    (b"reference=a&reference=b&status=Paid", "repeats reference"),
    (signed(update(reference=None)), "reference is missing or empty"),
    (signed(update(reference="  ")), "reference is missing or empty"),
    (signed(update(status=None)), "status is missing or empty"),
    (signed(update(amount="ten")), "amount 'ten' is not an amount in USD"),
    (signed(update(amount="10.001")), "amount '10.001' is not an amount in USD"),
    (signed(update(amount="0.00")), "amount '0.00' is not positive"),
])
def test_malformed_updates_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body), "USD")
    assert message in str(excinfo.value)


def test_decode_reads_values_once():
    decoded = status_update_decode(fixture_body("status_update__paid"))
    assert decoded.poll_url == POLL and decoded.paynow_reference == "4,218,339"


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, accepted.body, accepted.content_type) == (200, b"OK", "text/plain")
    assert rejected.status_code == 400
