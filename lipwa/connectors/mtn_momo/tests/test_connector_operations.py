"""Refunds, payouts and account-holder lookups against a scripted MTN on 127.0.0.1 (PROVIDERS.md 2.9, 2.10)."""

from __future__ import annotations

import pytest

from lipwa.common.http import GatewayUnreachable
from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import FailureCode, OperationSyncRequest, PayoutRequest, RefundRequest, ResultStatus

from .stub import ACTIVE, REFUND, REFUND_STATUS, TRANSFER, TRANSFER_STATUS, USER_INFO, Reply, fixture
from .test_connector import REFERENCE, connector

S, F = ResultStatus, FailureCode
REFUND_REFERENCE = "0a2535ef-1cdc-48f5-8c20-0679cc0d3293"  # refund:rfd_01TEST
TRANSFER_REFERENCE = "622a8d72-fd65-4e81-9557-adfb0fe8ee8a"  # transfer:pyt_01TEST


def refund_request(amount_minor: int = 500) -> RefundRequest:
    return RefundRequest(refund_id="rfd_01TEST", payment_id="pay_1", charge_reference=REFERENCE,
                         amount=Money(amount_minor, "UGX"), reason="Customer's request")


def test_refund_is_sent_to_disbursement_with_a_derived_reference(momo):
    result = connector(momo.base_url).refund(refund_request())
    assert (result.status, result.gateway_reference) == (S.PROCESSING, REFUND_REFERENCE)
    request = momo.requests_to(REFUND)[0]
    assert request.headers["x-reference-id"] == REFUND_REFERENCE
    assert "x-callback-url" not in request.headers
    assert request.json() == {"amount": "500", "currency": "UGX", "externalId": "rfd_01TEST",
                              "payerMessage": "Customers request", "payeeNote": "Customers request",
                              "referenceIdToRefund": REFERENCE}


def test_refund_sync(momo):
    sync = OperationSyncRequest(operation_id="rfd_01TEST", gateway_reference=None, amount=Money(500, "UGX"))
    result = connector(momo.base_url).refund_sync(sync)
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, REFUND_REFERENCE)
    assert result.connector_state == {"financial_transaction_id": "3149386520"}
    assert momo.requests_to(REFUND_STATUS)[0].path == f"/disbursement/v1_0/refund/{REFUND_REFERENCE}"


def test_refund_in_the_wrong_currency_is_refused():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").refund(RefundRequest(refund_id="r", payment_id="p", charge_reference=REFERENCE,
                                                        amount=Money(500, "EUR")))
    assert excinfo.value.code == "currency_not_supported"


def test_payout_and_its_sync(momo):
    payout = PayoutRequest(payout_id="pyt_01TEST", amount=Money(5000, "UGX"), phone=parse_phone("+256772123456"),
                           description="Salary June")
    result = connector(momo.base_url).payout(payout)
    assert (result.status, result.gateway_reference) == (S.PROCESSING, TRANSFER_REFERENCE)
    body = momo.requests_to(TRANSFER)[0].json()
    assert (body["payee"]["partyId"], body["externalId"], body["payerMessage"]) == (
        "256772123456", "pyt_01TEST", "Salary June")
    momo.script(TRANSFER_STATUS, Reply(200, {**fixture("transfer_status__successful"), "status": "FAILED",
                                             "reason": "NOT_ENOUGH_FUNDS"}))
    sync = OperationSyncRequest(operation_id="pyt_01TEST", gateway_reference=TRANSFER_REFERENCE,
                                amount=Money(5000, "UGX"))
    synced = connector(momo.base_url).payout_sync(sync)
    assert (synced.status, synced.failure_code) == (S.FAILED, F.INSUFFICIENT_FUNDS)


def test_account_holder_found_with_name(momo):
    holder = connector(momo.base_url).account_holder_lookup("0772123456")
    assert (holder.found, holder.name) == (True, "Jane Nakato")
    assert momo.requests_to(ACTIVE)[0].path == "/collection/v1_0/accountholder/msisdn/256772123456/active"


@pytest.mark.parametrize("reply", [Reply(200, {"result": False}),
                                   Reply(404, fixture("requesttopay_status__not_found"))])
def test_account_holder_not_found(momo, reply):
    momo.script(ACTIVE, reply)
    assert connector(momo.base_url).account_holder_lookup("+256772123456").found is False
    assert momo.requests_to(USER_INFO) == []


@pytest.mark.parametrize("reply, error", [
    (Reply(500, {"code": "INTERNAL_PROCESSING_ERROR", "message": "x"}), GatewayUnreachable),
    (Reply(503, b""), GatewayUnreachable),
    (Reply(500, {"code": "NOT_ALLOWED", "message": "x"}), ConnectorConfigError),
    (Reply(401, fixture("error__invalid_access_token")), ConnectorConfigError),
])
def test_account_holder_lookup_failures_raise(momo, reply, error):
    momo.script(ACTIVE, reply)
    with pytest.raises(error):
        connector(momo.base_url).account_holder_lookup("+256772123456")
