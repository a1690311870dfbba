"""The request-to-pay callback: every fixture parses as PROVIDERS.md 2.6 says, anything else is refused precisely."""

from __future__ import annotations

import json

import pytest

from lipwa.common.money import Money
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.mtn_momo.mapping import x_reference_id
from lipwa.connectors.mtn_momo.webhooks import webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import FIXTURES, fixture, fixture_bytes

S, F = ResultStatus, FailureCode
# x_reference_id("requesttopay", "att_01TEST"), pinned in test_mapping.py.
REFERENCE = "4ac5bf4e-493c-4b33-8066-636342c9d027"

# fixture → (status, failure_code, receipt, amount, gateway_status, dedupe_key)
EXPECTED = {
    "callback__successful": (S.SUCCEEDED, None, "1927264368", Money(1000, "UGX"), "SUCCESSFUL",
                             f"rtp:{REFERENCE}:SUCCESSFUL:"),
    "callback__rejected": (S.CANCELLED, F.CUSTOMER_CANCELLED, None, Money(1000, "UGX"), "FAILED/APPROVAL_REJECTED",
                           f"rtp:{REFERENCE}:FAILED:APPROVAL_REJECTED"),
    "callback__expired": (S.EXPIRED, F.CUSTOMER_TIMEOUT, None, Money(1000, "UGX"), "FAILED/EXPIRED",
                          f"rtp:{REFERENCE}:FAILED:EXPIRED"),
    "callback__insufficient_funds": (S.FAILED, F.INSUFFICIENT_FUNDS, None, Money(1000, "UGX"),
                                     "FAILED/NOT_ENOUGH_FUNDS", f"rtp:{REFERENCE}:FAILED:NOT_ENOUGH_FUNDS"),
    "callback__payer_not_found": (S.FAILED, F.SUBSCRIBER_NOT_FOUND, None, Money(1000, "UGX"),
                                  "FAILED/PAYER_NOT_FOUND", f"rtp:{REFERENCE}:FAILED:PAYER_NOT_FOUND"),
    "callback__internal_processing_error": (S.FAILED, F.PROVIDER_DECLINED, None, Money(1000, "UGX"),
                                            "FAILED/INTERNAL_PROCESSING_ERROR",
                                            f"rtp:{REFERENCE}:FAILED:INTERNAL_PROCESSING_ERROR"),
    "callback__sandbox_eur": (S.SUCCEEDED, None, "363440463", Money(1050, "EUR"), "SUCCESSFUL",
                              "rtp:{sandbox}:SUCCESSFUL:"),
}


def inbound(body: bytes | dict) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(headers={"content-type": "application/json"}, body=raw, remote_addr="196.11.240.1")


def callback(**fields) -> dict:
    """The success fixture with fields replaced (a value of ... removes the field)."""
    body = fixture("callback__successful")
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
    status, failure_code, receipt, amount, gateway_status, dedupe_key = EXPECTED[name]
    body = fixture(name)
    reference = x_reference_id("requesttopay", body["externalId"])
    parsed = webhook_parse(inbound(fixture_bytes(name)))
    assert parsed.gateway_reference == parsed.result.gateway_reference == reference
    assert parsed.dedupe_key == dedupe_key.replace("{sandbox}", reference)
    result = parsed.result
    assert (result.status, result.failure_code) == (status, failure_code)
    assert (result.receipt_number, result.amount, result.gateway_status) == (receipt, amount, gateway_status)
    assert result.payer == body["payer"]["partyId"]


def test_the_reference_is_recomputed_from_the_external_id():
    """The callback carries no X-Reference-Id (2.6): the attempt id sent as externalId gives it back."""
    assert webhook_parse(inbound(callback())).gateway_reference == REFERENCE
    assert webhook_parse(inbound(callback(externalId="att_OTHER"))).gateway_reference != REFERENCE


def test_a_reason_object_reads_like_a_reason_string():
    as_object = webhook_parse(inbound(callback(status="FAILED", reason={"code": "APPROVAL_REJECTED",
                                                                         "message": "Rejected by payer"})))
    as_string = webhook_parse(inbound(fixture_bytes("callback__rejected")))
    assert as_object.dedupe_key == as_string.dedupe_key
    assert as_object.result.status is as_string.result.status is S.CANCELLED
    assert as_object.result.gateway_message == "Rejected by payer"


def test_an_unknown_status_is_unknown_not_failed():
    parsed = webhook_parse(inbound(callback(status="CREATED")))
    assert parsed.result.status is S.UNKNOWN


def test_a_pending_callback_is_processing():
    assert webhook_parse(inbound(callback(status="PENDING", financialTransactionId=...))).result.status is S.PROCESSING


def test_an_amount_sent_as_a_number_is_exact():
    parsed = webhook_parse(inbound(b'{"externalId": "att_01TEST", "amount": 10.50, "currency": "EUR", '
                                   b'"payer": {"partyIdType": "MSISDN", "partyId": "46733123499"}, '
                                   b'"status": "SUCCESSFUL"}'))
    assert parsed.result.amount == Money(1050, "EUR")


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON"),
    (b"status=SUCCESSFUL", "not JSON"),
    (b"\xff\xfe{}", "not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (b"{}", "the callback has no status"),
    (callback(externalId=...), "the callback has no externalId"),
    (callback(externalId=""), "the callback has no externalId"),
    (callback(payer=..., payee={"partyIdType": "MSISDN", "partyId": "256772123456"}), "about a transfer or refund"),
    (callback(status=None), "the callback's status must be a non-empty string"),
    (callback(status=["SUCCESSFUL"]), "the callback's status must be a non-empty string, but it is an array"),
    (callback(reason=5), "the callback's reason must be a string or an object"),
    (callback(amount="lots"), "the callback's amount 'lots' is not an amount in 'UGX'"),
    (callback(amount="10.5"), "is not an amount in 'UGX'"),
    (callback(amount="-5"), "amount '-5' is not positive"),
    (callback(currency=None), "the callback's currency must be a string"),
    (callback(payer="256772123456"), "the callback's payer must be an object"),
    (callback(externalId=12.5), "externalId must be a string, but it is a number"),
])
def test_malformed_callbacks_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body))
    assert message in str(excinfo.value)


def test_verification_is_declared_impossible():
    # MTN signs nothing (2.6): whatever the headers say, the callback is only a hint until a query agrees.
    signed_looking = InboundRequest(headers={"x-signature": "abc", "authorization": "Bearer x"},
                                    body=fixture_bytes("callback__successful"))
    assert webhook_verify(signed_looking) is WebhookVerification.UNVERIFIABLE


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, json.loads(accepted.body)) == (200, {})
    assert rejected.status_code == 400
    assert accepted.content_type == rejected.content_type == "application/json"
