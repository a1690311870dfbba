"""Refunds against a scripted Paystack: what is sent, what each answer means, and how a lost answer is found."""

from __future__ import annotations

import pytest

from lipwa.common.money import Money
from lipwa.connectors.paystack.refunds import merchant_note
from lipwa.connectors.types import FailureCode, OperationSyncRequest, RefundRequest, ResultStatus

from .stub import REFERENCE, REFUND_GET_PATH, REFUND_PATH, Reply, closed_port_url, fixture
from .test_connector import connector

S, F = ResultStatus, FailureCode


def refund_request(amount_minor: int = 4000, refund_id: str = "rfd_01TEST") -> RefundRequest:
    return RefundRequest(refund_id=refund_id, payment_id="pay_1", charge_reference=REFERENCE,
                         amount=Money(amount_minor, "NGN"), reason="Damaged item")


def sync_request(gateway_reference: str | None, refund_id: str = "rfd_01TEST") -> OperationSyncRequest:
    return OperationSyncRequest(operation_id=refund_id, gateway_reference=gateway_reference,
                                amount=Money(4000, "NGN"), connector_state={"transaction_reference": REFERENCE})


def test_a_partial_refund_is_queued(paystack):
    result = connector(paystack.base_url).refund(refund_request())
    assert (result.status, result.gateway_reference, result.gateway_status) == (S.PENDING, "3018284", "pending")
    assert result.connector_state == {"transaction_reference": REFERENCE, "refund_id": "3018284"}
    assert paystack.requests_to(REFUND_PATH)[0].json() == {
        "transaction": REFERENCE, "amount": 4000, "currency": "NGN", "merchant_note": "lipwa refund rfd_01TEST",
        "customer_note": "Damaged item"}


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(hang=True), S.UNKNOWN, None),
    (Reply(400, fixture("refund__fully_reversed")), S.FAILED, F.PROVIDER_DECLINED),
    (Reply(401, fixture("error__invalid_key")), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(503, {"status": False, "message": "Service temporarily unavailable"}), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(500, b"oops"), S.UNKNOWN, None),
])
def test_refund_answers(paystack, reply, status, failure_code):
    paystack.script(REFUND_PATH, reply)
    result = connector(paystack.base_url, timeout_seconds=0.3).refund(refund_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, None)
    # Kept even when the answer was lost, so that refund_sync can look the refund up by its note.
    assert result.connector_state["transaction_reference"] == REFERENCE


def test_an_unreachable_gateway_refunds_nothing():
    result = connector(closed_port_url()).refund(refund_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


def test_sync_by_refund_id(paystack):
    result = connector(paystack.base_url).refund_sync(sync_request("3018284"))
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, "3018284")
    assert len(paystack.requests_to(REFUND_GET_PATH)) == 1


def test_sync_finds_a_refund_whose_answer_was_lost_by_its_note(paystack):
    result = connector(paystack.base_url).refund_sync(sync_request(None))
    assert (result.status, result.gateway_reference) == (S.PENDING, "3018284")
    assert paystack.requests_to(REFUND_PATH)[0].query == {"reference": [REFERENCE]}


def test_a_refund_not_found_by_its_note_stays_unknown(paystack):
    result = connector(paystack.base_url).refund_sync(sync_request(None, refund_id="rfd_OTHER"))
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, None)
    assert merchant_note("rfd_OTHER") in result.gateway_message


@pytest.mark.parametrize("reply", [Reply(hang=True), Reply(404, {"status": False, "message": "Refund not found"})])
def test_a_failed_refund_query_is_unknown(paystack, reply):
    paystack.script(REFUND_GET_PATH, reply)
    result = connector(paystack.base_url, timeout_seconds=0.3).refund_sync(sync_request("3018284"))
    assert result.status is S.UNKNOWN


def test_needs_attention_is_not_final(paystack):
    attention = fixture("refund__processed")
    attention["data"]["status"] = "needs-attention"
    paystack.script(REFUND_GET_PATH, Reply(200, attention))
    result = connector(paystack.base_url).refund_sync(sync_request("3018284"))
    assert result.status is S.REQUIRES_ACTION and "dashboard" in result.gateway_message
