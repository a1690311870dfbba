"""The Paystack client over a real loopback socket: what goes on the wire, how answers decode, transport failures."""

from __future__ import annotations

import pytest

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.paystack.client import PaystackClient, UnexpectedResponse
from lipwa.connectors.paystack.credentials import PaystackCredentials
from lipwa.connectors.paystack.mapping import ApiError, InitializeData, Refund, Transaction

from .stub import (
    CHARGE_AUTHORIZATION_PATH,
    CHARGE_PATH,
    INITIALIZE_PATH,
    REFERENCE,
    REFUND_GET_PATH,
    REFUND_PATH,
    SUBMIT_OTP_PATH,
    VERIFY_PATH,
    Reply,
    closed_port_url,
    fixture,
)

SECRET = "sk_test_0123456789abcdef"
HOOK = "https://pay.example.com/hooks/paystack/ca_test/tok3n/"


def client(base_url: str, timeout_seconds: float = 5.0, webhook_url: str = HOOK) -> PaystackClient:
    credentials = PaystackCredentials.from_mapping({"base_url": base_url, "secret_key": SECRET})
    return PaystackClient(credentials, timeout_seconds=timeout_seconds, webhook_url=webhook_url)


def test_initialize_sends_subunits_with_the_secret_key_as_bearer(paystack):
    with client(paystack.base_url) as paystack_client:
        reply = paystack_client.initialize(email="ada@example.com", amount=50_000, currency="NGN", reference=REFERENCE,
                                           callback_url="https://shop.example.com/thanks", channels=["card"],
                                           metadata={"lipwa_payment_id": "pay_1"})
    assert reply == InitializeData("https://checkout.paystack.com/0peioxfhpn", "0peioxfhpn", REFERENCE)
    [request] = paystack.requests_to(INITIALIZE_PATH)
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-callback-url"] == HOOK
    assert request.json() == {"email": "ada@example.com", "amount": 50_000, "currency": "NGN", "reference": REFERENCE,
                              "callback_url": "https://shop.example.com/thanks", "channels": ["card"],
                              "metadata": {"lipwa_payment_id": "pay_1"}}


def test_optional_initialize_fields_are_left_out(paystack):
    with client(paystack.base_url, webhook_url="") as paystack_client:
        paystack_client.initialize(email="a@b.co", amount=100, currency="GHS", reference=REFERENCE)
    [request] = paystack.requests_to(INITIALIZE_PATH)
    assert request.json() == {"email": "a@b.co", "amount": 100, "currency": "GHS", "reference": REFERENCE}
    assert "x-callback-url" not in request.headers


def test_verify_reads_the_transaction(paystack):
    with client(paystack.base_url) as paystack_client:
        transaction = paystack_client.verify(REFERENCE)
    assert isinstance(transaction, Transaction)
    assert (transaction.reference, transaction.status, transaction.amount, transaction.currency) == (
        REFERENCE, "success", 10_000, "NGN")
    assert (transaction.id, transaction.domain, transaction.channel) == ("4099260516", "test", "card")
    assert transaction.customer_email == "ada@example.com"
    assert transaction.authorization.authorization_code == "AUTH_8dfhjjdt" and transaction.authorization.reusable
    assert paystack.requests_to(VERIFY_PATH)[0].method == "GET"


def test_mobile_money_charge_body_is_the_documented_shape(paystack):
    with client(paystack.base_url) as paystack_client:
        reply = paystack_client.charge_mobile_money(email="a@b.co", amount=100, currency="GHS", reference=REFERENCE,
                                                    phone="0553241149", provider="mtn")
    assert (reply.status, reply.display_text) == ("pay_offline",
                                                  "Please complete authorization process on your mobile phone")
    assert paystack.requests_to(CHARGE_PATH)[0].json() == {
        "email": "a@b.co", "amount": 100, "currency": "GHS", "reference": REFERENCE,
        "mobile_money": {"phone": "0553241149", "provider": "mtn"}}


def test_submit_otp_and_charge_authorization_bodies(paystack):
    with client(paystack.base_url) as paystack_client:
        paystack_client.submit_otp(reference=REFERENCE, otp="123456")
        paid = paystack_client.charge_authorization(email="ada@example.com", amount=50_000, currency="NGN",
                                                    reference="lipwa-att-02", authorization_code="AUTH_8dfhjjdt")
    assert paystack.requests_to(SUBMIT_OTP_PATH)[0].json() == {"otp": "123456", "reference": REFERENCE}
    assert paystack.requests_to(CHARGE_AUTHORIZATION_PATH)[0].json() == {
        "email": "ada@example.com", "amount": 50_000, "currency": "NGN", "reference": "lipwa-att-02",
        "authorization_code": "AUTH_8dfhjjdt"}
    assert paid.status == "success"


def test_refund_endpoints(paystack):
    with client(paystack.base_url) as paystack_client:
        created = paystack_client.refund_create(transaction=REFERENCE, amount=4000, currency="NGN",
                                                merchant_note="lipwa refund rfd_01TEST", customer_note="Damaged item")
        fetched = paystack_client.refund_get("3018284")
        listed = paystack_client.refund_list(transaction_reference=REFERENCE)
    assert created == Refund("3018284", "pending", 4000, "NGN", REFERENCE, "lipwa refund rfd_01TEST")
    assert fetched.status == "processed"
    assert [refund.id for refund in listed] == ["3018284"]
    posted, listing = paystack.requests_to(REFUND_PATH)
    assert posted.json() == {"transaction": REFERENCE, "amount": 4000, "currency": "NGN",
                             "merchant_note": "lipwa refund rfd_01TEST", "customer_note": "Damaged item"}
    assert (listing.method, listing.query) == ("GET", {"reference": [REFERENCE]})
    assert paystack.requests_to(REFUND_GET_PATH)[0].method == "GET"


def test_a_refusal_is_an_api_error_on_any_status(paystack):
    paystack.script(INITIALIZE_PATH, Reply(401, fixture("error__invalid_key")))
    paystack.script(VERIFY_PATH, Reply(404, fixture("verify__not_found")))
    with client(paystack.base_url) as paystack_client:
        refused = paystack_client.initialize(email="a@b.co", amount=100, currency="NGN", reference=REFERENCE)
        missing = paystack_client.verify(REFERENCE)
    assert refused == ApiError(401, "Invalid key")
    assert missing == ApiError(404, "Transaction reference not found")


@pytest.mark.parametrize("reply, words", [
    (Reply(200, b"<html>gateway</html>"), "not JSON"),
    (Reply(502, {"error": "bad gateway"}), "without Paystack's envelope"),
    (Reply(200, {"status": True, "message": "ok", "data": {"status": "success"}}), "reference"),
    (Reply(200, {"message": "no status"}), "status"),
])
def test_unexpected_answers_raise(paystack, reply, words):
    paystack.script(VERIFY_PATH, reply)
    with client(paystack.base_url) as paystack_client, pytest.raises(UnexpectedResponse) as excinfo:
        paystack_client.verify(REFERENCE)
    assert excinfo.value.http_status == reply.status
    assert words in str(excinfo.value)


def test_a_lost_answer_is_outcome_unknown(paystack):
    paystack.script(CHARGE_PATH, Reply(hang=True))
    with client(paystack.base_url, timeout_seconds=0.2) as paystack_client, pytest.raises(OutcomeUnknown):
        paystack_client.charge_mobile_money(email="a@b.co", amount=100, currency="GHS", reference=REFERENCE,
                                            phone="0553241149", provider="mtn")


def test_a_refused_connection_is_unreachable():
    with client(closed_port_url()) as paystack_client, pytest.raises(GatewayUnreachable) as excinfo:
        paystack_client.verify(REFERENCE)
    assert SECRET not in str(excinfo.value)


def test_the_secret_never_shows_in_a_repr():
    credentials = PaystackCredentials.from_mapping({"secret_key": SECRET, "public_key": "pk_test_1"})
    assert SECRET not in repr(credentials) and SECRET not in str(credentials)
    assert "pk_test_1" in repr(credentials)
