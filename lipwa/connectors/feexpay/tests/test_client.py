"""The FeexPay client over a real loopback socket: known answers, retries with backoff, transport failures."""

from __future__ import annotations

import pytest

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.feexpay.client import RETRY_DELAYS_SECONDS, FeexpayClient, UnexpectedResponse
from lipwa.connectors.feexpay.credentials import FeexpayCredentials
from lipwa.connectors.feexpay.mapping import ErrorReply, LinkReply, TransactionReply

from .stub import LINK_PATH, PENDING_REFERENCE, PUSH_MTN_PATH, STATUS_PATH, Reply, closed_port_url, fixture

WEBHOOK_URL = "https://pay.example.bj/hooks/feexpay/ca_test/tok3n/"


def client(base_url: str, sleeps: list[float] | None = None, timeout_seconds: float = 5.0) -> FeexpayClient:
    credentials = FeexpayCredentials.from_mapping({"base_url": base_url, "api_key": "fp_live_key_123",
                                                   "shop_id": "shop-42", "webhook_secret": "whsec"})
    recorder = sleeps.append if sleeps is not None else _no_sleep
    return FeexpayClient(credentials, timeout_seconds=timeout_seconds, sleep=recorder)


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"this call must not back off (asked to sleep {seconds} s)")


def push(feexpay_client: FeexpayClient, **overrides):
    fields = {"network": "mtn", "phone_number": "2290197444893", "amount": 5000,
              "description": "Commande BZ000005", "callback_info": "order-42", "webhook_url": WEBHOOK_URL} | overrides
    return feexpay_client.request_to_pay(**fields)


# -- known answers (PROVIDERS.md 5.1, 5.2) --------------------------------------------------------------------


def test_request_to_pay_is_the_v2_body_with_the_network_in_the_path(feexpay):
    with client(feexpay.base_url) as feexpay_client:
        reply = push(feexpay_client, first_name="Client", last_name="Doe", email="a@b.co")
    assert reply == TransactionReply(reference=PENDING_REFERENCE, status="PENDING", amount=5000,
                                     message="Demande de paiement envoyée au client")
    [request] = feexpay.requests_to(PUSH_MTN_PATH)
    assert request.method == "POST"
    assert request.headers["authorization"] == "Bearer fp_live_key_123"
    assert request.headers["content-type"] == "application/json"
    # 5.2's sample body: shop in the body, amount a JSON integer, callback_info a string; no currency, no token.
    assert request.json() == {"phoneNumber": "2290197444893", "amount": 5000, "shop": "shop-42",
                              "description": "Commande BZ000005", "callback_info": "order-42",
                              "first_name": "Client", "last_name": "Doe", "email": "a@b.co",
                              "webhook_url": WEBHOOK_URL}


def test_optional_names_are_left_out_when_empty(feexpay):
    with client(feexpay.base_url) as feexpay_client:
        push(feexpay_client)
    assert set(feexpay.requests_to(PUSH_MTN_PATH)[0].json()) == {
        "phoneNumber", "amount", "shop", "description", "callback_info", "webhook_url"}


@pytest.mark.parametrize("network", ["celtiis_bj", "orange_ci", "togocom_tg"])
def test_the_network_is_the_last_path_segment(feexpay, network):
    with client(feexpay.base_url) as feexpay_client:
        push(feexpay_client, network=network)
    assert feexpay.received[0].path == f"/api/transactions/public/requesttopay/{network}"


def test_status_is_a_get_with_the_bearer_key(feexpay):
    with client(feexpay.base_url) as feexpay_client:
        reply = feexpay_client.transaction_status(PENDING_REFERENCE)
    assert isinstance(reply, TransactionReply) and reply.status == "SUCCESSFUL" and reply.amount == 5000
    [request] = feexpay.requests_to(STATUS_PATH)
    assert (request.method, request.body) == ("GET", b"")
    assert request.headers["authorization"] == "Bearer fp_live_key_123"


def test_a_reference_is_escaped_in_the_path(feexpay):
    with client(feexpay.base_url) as feexpay_client:
        feexpay_client.transaction_status("FXP/../x y")
    assert feexpay.received[0].path == "/api/transactions/public/single/status/FXP%2F..%2Fx%20y"


def test_card_link(feexpay):
    with client(feexpay.base_url) as feexpay_client:
        reply = feexpay_client.create_link(amount=25, currency="EUR", description="Order 7",
                                           return_url="https://shop.example/back", webhook_url=WEBHOOK_URL,
                                           callback_info="att_1")
    assert reply == LinkReply(url="https://checkout.feexpay.me/6f1c2a9b8e7d6c5b4a3f", link_id="6f1c2a9b8e7d6c5b4a3f")
    assert feexpay.requests_to(LINK_PATH)[0].json() == {
        "shop": "shop-42", "amount": 25, "description": "Order 7", "paymentMethod": "CARD", "currency": "EUR",
        "callback_info": "att_1", "webhook_url": WEBHOOK_URL, "callback_url": "https://shop.example/back",
        "callback_error": "https://shop.example/back"}


# -- answers that are not successes -------------------------------------------------------------------------


@pytest.mark.parametrize("reply, message", [
    (Reply(401, fixture("error__unauthenticated")), "Unauthenticated."),
    (Reply(422, fixture("error__validation_phone")), "The phone number must start with 229 for this network."),
    (Reply(503, b"Service Unavailable", content_type="text/plain"), "Service Unavailable"),
    (Reply(404, {"message": "Not found"}), "Not found"),
])
def test_errors_become_error_replies(feexpay, reply, message):
    feexpay.script(PUSH_MTN_PATH, reply)
    with client(feexpay.base_url) as feexpay_client:
        assert push(feexpay_client) == ErrorReply(http_status=reply.status, message=message)


@pytest.mark.parametrize("reply, detail", [
    (Reply(200, b"<html>captive portal</html>", content_type="text/html"), "not JSON"),
    (Reply(200, {"status": "PENDING"}), "reference must be a non-empty string"),
    (Reply(200, {"reference": "FXP-1"}), "status must be a non-empty string"),
    (Reply(200, {"reference": "FXP-1", "status": "PENDING", "amount": [1]}), "amount must be a number"),
])
def test_unreadable_successes_are_unexpected(feexpay, reply, detail):
    feexpay.script(PUSH_MTN_PATH, reply)
    with client(feexpay.base_url) as feexpay_client, pytest.raises(UnexpectedResponse) as excinfo:
        push(feexpay_client)
    assert detail in str(excinfo.value)


# -- retries --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trouble", [Reply(503, b"busy", content_type="text/plain"), Reply(502, b"<html>"),
                                     Reply(429, {"message": "Too Many Attempts."}), Reply(500, {"message": "x"}),
                                     Reply(504, b"")])
def test_status_queries_back_off_and_retry_transient_answers(feexpay, sleeps, trouble):
    feexpay.script(STATUS_PATH, trouble, trouble, Reply(200, fixture("status__successful")))
    with client(feexpay.base_url, sleeps) as feexpay_client:
        reply = feexpay_client.transaction_status(PENDING_REFERENCE)
    assert isinstance(reply, TransactionReply) and reply.status == "SUCCESSFUL"
    assert sleeps == list(RETRY_DELAYS_SECONDS[:2])
    assert len(feexpay.requests_to(STATUS_PATH)) == 3


def test_status_retries_give_up_with_the_last_answer(feexpay, sleeps):
    feexpay.script(STATUS_PATH, Reply(503, b"busy", content_type="text/plain"))
    with client(feexpay.base_url, sleeps) as feexpay_client:
        reply = feexpay_client.transaction_status(PENDING_REFERENCE)
    assert reply == ErrorReply(503, "busy")
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(feexpay.requests_to(STATUS_PATH)) == 4


def test_status_retries_a_lost_answer(feexpay, sleeps):
    feexpay.script(STATUS_PATH, Reply(hang=True), Reply(200, fixture("status__pending")))
    with client(feexpay.base_url, sleeps, timeout_seconds=0.3) as feexpay_client:
        reply = feexpay_client.transaction_status(PENDING_REFERENCE)
    assert isinstance(reply, TransactionReply) and reply.status == "PENDING"
    assert sleeps == [0.5]


def test_status_retries_end_in_the_last_transport_failure(sleeps):
    with client(closed_port_url(), sleeps) as feexpay_client, pytest.raises(GatewayUnreachable):
        feexpay_client.transaction_status(PENDING_REFERENCE)
    assert sleeps == [0.5, 1.0, 2.0]


def test_final_answers_are_not_retried(feexpay):
    feexpay.script(STATUS_PATH, Reply(404, {"message": "Transaction not found"}))
    with client(feexpay.base_url) as feexpay_client:  # _no_sleep fails the test if it backs off
        assert feexpay_client.transaction_status(PENDING_REFERENCE) == ErrorReply(404, "Transaction not found")
    assert len(feexpay.requests_to(STATUS_PATH)) == 1


@pytest.mark.parametrize("reply", [Reply(503, b"busy", content_type="text/plain"), Reply(500, b"oops")])
def test_a_request_to_pay_is_never_repeated(feexpay, reply):
    # No idempotency key (5.2): a second request would ring the payer again and could charge twice.
    feexpay.script(PUSH_MTN_PATH, reply, Reply(200, fixture("request_to_pay__pending")))
    with client(feexpay.base_url) as feexpay_client:
        assert isinstance(push(feexpay_client), ErrorReply)
    assert len(feexpay.requests_to(PUSH_MTN_PATH)) == 1


def test_a_lost_request_to_pay_answer_is_outcome_unknown_at_once(feexpay):
    feexpay.script(PUSH_MTN_PATH, Reply(hang=True))
    with client(feexpay.base_url, timeout_seconds=0.3) as feexpay_client, pytest.raises(OutcomeUnknown):
        push(feexpay_client)
    assert len(feexpay.requests_to(PUSH_MTN_PATH)) == 1


def test_a_card_link_is_never_repeated(feexpay):
    feexpay.script(LINK_PATH, Reply(502, b"bad gateway"))
    with client(feexpay.base_url) as feexpay_client:
        reply = feexpay_client.create_link(amount=1000, currency="XOF", description="x", return_url="",
                                           webhook_url=WEBHOOK_URL, callback_info="att_1")
    assert reply == ErrorReply(502, "bad gateway")
    assert len(feexpay.requests_to(LINK_PATH)) == 1
    assert "callback_url" not in feexpay.requests_to(LINK_PATH)[0].json()


def test_a_refused_connection_is_gateway_unreachable_without_retry_on_a_push():
    with client(closed_port_url()) as feexpay_client, pytest.raises(GatewayUnreachable):
        push(feexpay_client)
