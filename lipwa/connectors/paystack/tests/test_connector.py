"""The connector's charge flows against a scripted Paystack on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery covers the same flows end to end through the core; these tests pin one
wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.paystack.connector import PaystackConnector, transaction_reference
from lipwa.connectors.paystack.credentials import credentials_validate
from lipwa.connectors.paystack.mapping import REFERENCE_PATTERN
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, ResultStatus, SyncRequest

from .stub import (
    CHARGE_AUTHORIZATION_PATH,
    CHARGE_PATH,
    INITIALIZE_PATH,
    REFERENCE,
    SUBMIT_OTP_PATH,
    VERIFY_PATH,
    Reply,
    closed_port_url,
    fixture,
)

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.com/hooks/paystack/ca_test/tok3n/"
PAY_OFFLINE = {"type": "display_instructions", "text": "Please complete authorization process on your mobile phone"}


def connector(base_url: str, *, timeout_seconds: float = 5.0, mode: str = "test",
              **overrides: str) -> PaystackConnector:
    credentials = PaystackConnector.simulator_credentials(base_url) | overrides
    return PaystackConnector(AccountContext(account_id="ca_test", connector="paystack", mode=mode,
                                            credentials=credentials, callback_url=CALLBACK_URL,
                                            timeout_seconds=timeout_seconds))


def card_request(amount_minor: int = 10_000, currency: str = "NGN", **fields) -> ChargeRequest:
    defaults = {"attempt_id": "att_01TEST", "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-7", "customer_email": "ada@example.com",
                "return_url": "https://shop.example.com/thanks"}
    return ChargeRequest(amount=Money(amount_minor, currency), **(defaults | fields))


def momo_request(phone: str = "+254712345678", amount_minor: int = 10_000, currency: str = "KES",
                 **fields) -> ChargeRequest:
    return card_request(amount_minor, currency, phone=parse_phone(phone, "GH" if currency == "GHS" else "KE"),
                        **fields)


def sync_request(reference: str | None = REFERENCE, **state: str) -> SyncRequest:
    return SyncRequest(attempt_id="att_01TEST", gateway_reference=reference, amount=Money(10_000, "NGN"),
                       connector_state=state)


# -- the class ------------------------------------------------------------------------------------------------


def test_declaration():
    assert (PaystackConnector.id, PaystackConnector.callback_slug) == ("paystack", "paystack")
    assert PaystackConnector.methods == {"card", "mobile_money"}
    assert PaystackConnector.currencies == {"NGN", "GHS", "KES", "ZAR", "USD"}
    assert PaystackConnector.countries == {"NG", "GH", "KE", "ZA", "CI"}
    assert PaystackConnector.networks == {"mtn", "telecel", "airteltigo", "safaricom"}
    assert PaystackConnector.routing_priority == 30
    assert {f.name for f in PaystackConnector.credential_fields if f.secret} == {"secret_key"}


def test_simulator_credentials_are_valid_for_a_test_account():
    credentials = PaystackConnector.simulator_credentials("http://127.0.0.1:8000/simulators/paystack")
    assert credentials_validate(credentials, "test") == {}
    assert (credentials["secret_key"], credentials["public_key"]) == ("sim_secret", "sim_key")


@pytest.mark.parametrize("base_url, secret_key, environment", [
    ("http://127.0.0.1:8000/simulators/paystack", "sim_secret", "simulator"),
    ("https://lipwa.example.com/simulators/paystack", "sk_live_x", "simulator"),
    ("https://api.paystack.co", "sk_test_x", "sandbox"),  # one host for both modes: the key decides (6.1)
    ("https://api.paystack.co", "sk_live_x", "production"),
    ("https://api.paystack.co", "", "production"),
])
def test_the_environment_is_the_keys_on_paystacks_one_host(base_url, secret_key, environment):
    assert PaystackConnector.environment_of({"base_url": base_url, "secret_key": secret_key}) == environment


def test_references_are_derived_from_the_attempt():
    assert transaction_reference("att_01HZX5V9K3M4N5P6Q7R8S9T0VW") == "lipwa-att-01HZX5V9K3M4N5P6Q7R8S9T0VW"
    odd = transaction_reference("attempt/42 ü")
    assert odd == transaction_reference("attempt/42 ü") and odd.startswith("lipwa-")
    for reference in (transaction_reference("att_01TEST"), odd):
        assert REFERENCE_PATTERN.fullmatch(reference)


# -- validate_charge --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_, param, code", [
    (card_request(currency="UGX"), "currency", "currency_not_supported"),
    (card_request(currency="XOF"), "currency", "currency_not_supported"),
    (card_request(customer_email=""), "customer.email", "email_required"),
    (card_request(customer_email="ada at example"), "customer.email", "invalid_email"),
    (momo_request("+254733123456"), "network", "network_not_supported"),  # Airtel Kenya
    (momo_request("+254712345678", network="airtel"), "network", "network_not_supported"),
    (momo_request("+233551234987", method="mobile_money", currency="KES"), "currency", "currency_not_supported"),
    (momo_request("+254712345678", method="mobile_money", currency="GHS"), "currency", "currency_not_supported"),
    (momo_request("+2348031234567", method="mobile_money", currency="NGN"), "network", "network_not_supported"),
])
def test_validate_charge_refuses(request_, param, code):
    paystack_connector = connector("http://unused", fallback_email="")
    with pytest.raises(ConnectorInputError) as excinfo:
        paystack_connector.validate_charge(request_)
    assert (excinfo.value.param, excinfo.value.code) == (param, code)


@pytest.mark.parametrize("phone, currency, method, mobile_money", [
    ("+254712345678", "KES", "card", False),  # the merchant's word wins: a card checkout for a Kenyan customer
    ("+254712345678", "KES", "mobile_money", True),
    # Without a method (a direct connector call) it is inferred from the phone's country and the currency.
    ("+254712345678", "KES", "", True), ("+233551234987", "GHS", "", True),
    ("+2348031234567", "NGN", "", False),  # Nigeria: a card checkout, whatever phone the customer gave
    ("+254712345678", "USD", "", False),  # M-Pesa charges KES only, so a USD payment is a card
])
def test_the_method_decides_card_or_mobile_money(paystack, phone, currency, method, mobile_money):
    connector(paystack.base_url).charge(momo_request(phone, currency=currency, method=method))
    assert len(paystack.requests_to(CHARGE_PATH if mobile_money else INITIALIZE_PATH)) == 1


def test_refused_phones_are_masked():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(momo_request("+254733123456"))
    assert "254733123456" not in excinfo.value.message


@pytest.mark.parametrize("request_", [
    card_request(), card_request(currency="USD", customer_email=""),  # the fallback email serves
    momo_request(), momo_request("0551234987", currency="GHS"), momo_request("+233201234987", currency="GHS"),
    momo_request("+233271234987", currency="GHS"), momo_request("+233551234987", currency="GHS", network="telecel"),
])
def test_validate_charge_accepts(request_):
    connector("http://unused").validate_charge(request_)


# -- charge: card -------------------------------------------------------------------------------------------------


def test_card_charge_initializes_a_checkout(paystack):
    result = connector(paystack.base_url).charge(card_request(12_345))
    assert (result.status, result.gateway_reference) == (S.REQUIRES_ACTION, REFERENCE)
    assert result.next_action == {"type": "redirect", "url": "https://checkout.paystack.com/0peioxfhpn"}
    assert result.connector_state == {"authorization_url": "https://checkout.paystack.com/0peioxfhpn",
                                      "access_code": "0peioxfhpn"}
    [request] = paystack.requests_to(INITIALIZE_PATH)
    assert request.headers["x-callback-url"] == CALLBACK_URL
    assert request.json() == {
        "email": "ada@example.com", "amount": 12_345, "currency": "NGN", "reference": REFERENCE,
        "callback_url": "https://shop.example.com/thanks", "channels": ["card"],
        "metadata": {"lipwa_payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW", "lipwa_attempt_id": "att_01TEST",
                     "merchant_reference": "INV-7"}}


def test_card_charge_without_customer_email_uses_the_fallback(paystack):
    connector(paystack.base_url).charge(card_request(customer_email="", return_url=""))
    body = paystack.requests_to(INITIALIZE_PATH)[0].json()
    assert body["email"] == "customers@example.com" and "callback_url" not in body


# -- charge: mobile money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone, currency, network, wire_phone, provider", [
    ("+254712345678", "KES", None, "+254712345678", "mpesa"),
    ("0551234987", "GHS", None, "0551234987", "mtn"),
    ("+233201234987", "GHS", None, "0201234987", "vod"),
    ("+233271234987", "GHS", None, "0271234987", "atl"),
    ("+233551234987", "GHS", "telecel", "0551234987", "vod"),  # a ported number: the core's network wins
])
def test_mobile_money_charge_sends_the_provider_and_phone(paystack, phone, currency, network, wire_phone, provider):
    result = connector(paystack.base_url).charge(momo_request(phone, currency=currency, network=network))
    assert (result.status, result.gateway_reference, result.next_action) == (S.REQUIRES_ACTION, REFERENCE,
                                                                             PAY_OFFLINE)
    assert result.connector_state == {"charge_status": "pay_offline", "display_text": PAY_OFFLINE["text"]}
    body = paystack.requests_to(CHARGE_PATH)[0].json()
    assert body["mobile_money"] == {"phone": wire_phone, "provider": provider}
    assert (body["reference"], body["currency"], body["email"]) == (REFERENCE, currency, "ada@example.com")


def test_send_otp_asks_for_the_voucher(paystack):
    paystack.script(CHARGE_PATH, Reply(200, fixture("charge__send_otp")))
    result = connector(paystack.base_url).charge(momo_request("+233201234987", currency="GHS"))
    assert result.status is S.REQUIRES_ACTION
    assert result.next_action["type"] == "send_otp" and "voucher" in result.next_action["text"]


def test_an_immediate_success_is_final_with_the_amount(paystack):
    success = fixture("charge__success")
    success["data"]["reference"] = REFERENCE
    paystack.script(CHARGE_PATH, Reply(200, success))
    result = connector(paystack.base_url).charge(momo_request("0551234987", amount_minor=100, currency="GHS"))
    assert (result.status, result.amount, result.next_action) == (S.SUCCEEDED, Money(100, "GHS"), None)


@pytest.mark.parametrize("reply, status, failure_code, keeps_reference", [
    (Reply(hang=True), S.UNKNOWN, None, True),
    (Reply(401, fixture("error__invalid_key")), S.FAILED, F.CONFIGURATION_ERROR, False),
    (Reply(400, fixture("initialize__duplicate_reference")), S.UNKNOWN, None, True),
    (Reply(400, {"status": False, "message": "Invalid phone number"}), S.FAILED, F.INVALID_PHONE, False),
    (Reply(503, {"status": False, "message": "Service temporarily unavailable"}), S.FAILED,
     F.PROVIDER_UNAVAILABLE, False),
    (Reply(500, {"status": False, "message": "An error occurred"}), S.UNKNOWN, None, True),
    (Reply(502, b"<html>Bad gateway</html>"), S.UNKNOWN, None, True),
    (Reply(200, {"status": True, "data": {"reference": "someone-else", "status": "success"}}), S.UNKNOWN, None,
     True),
])
def test_charge_answers_map_through_the_tables(paystack, reply, status, failure_code, keeps_reference):
    paystack.script(CHARGE_PATH, reply)
    result = connector(paystack.base_url, timeout_seconds=0.3).charge(momo_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    # Whenever Paystack may hold the transaction, the reference travels with the result so it can be verified.
    assert result.gateway_reference == (REFERENCE if keeps_reference else None)


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(momo_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


def test_a_live_key_on_a_test_account_is_never_sent(paystack):
    result = connector(paystack.base_url, secret_key="sk_live_abc").charge(card_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "sk_live_abc" not in result.gateway_message
    assert paystack.received == []


def test_charge_never_sends_what_validation_refuses(paystack):
    with pytest.raises(ConnectorInputError):
        connector(paystack.base_url).charge(card_request(currency="XOF"))
    assert paystack.received == []


# -- charge_sync ----------------------------------------------------------------------------------------------------


def test_sync_success_carries_amount_and_the_saved_authorization(paystack):
    result = connector(paystack.base_url).charge_sync(sync_request())
    assert (result.status, result.amount, result.gateway_message) == (S.SUCCEEDED, Money(10_000, "NGN"), "Successful")
    assert result.connector_state["authorization_code"] == "AUTH_8dfhjjdt"
    assert result.connector_state["customer_email"] == "ada@example.com"


def test_sync_without_a_reference_verifies_the_derived_one(paystack):
    connector(paystack.base_url).charge_sync(sync_request(None))
    assert len(paystack.requests_to(VERIFY_PATH)) == 1


def test_an_abandoned_checkout_still_shows_its_page(paystack):
    paystack.script(VERIFY_PATH, Reply(200, fixture("verify__abandoned")))
    url = "https://checkout.paystack.com/0peioxfhpn"
    result = connector(paystack.base_url).charge_sync(sync_request(authorization_url=url))
    assert (result.status, result.next_action) == (S.REQUIRES_ACTION, {"type": "redirect", "url": url})
    bare = connector(paystack.base_url).charge_sync(sync_request())
    assert (bare.status, bare.next_action) == (S.PENDING, None)


def test_an_ongoing_prompt_keeps_its_instructions(paystack):
    paystack.script(VERIFY_PATH, Reply(200, fixture("verify__ongoing")))
    result = connector(paystack.base_url).charge_sync(
        sync_request(charge_status="pay_offline", display_text=PAY_OFFLINE["text"]))
    assert (result.status, result.next_action) == (S.REQUIRES_ACTION, PAY_OFFLINE)


@pytest.mark.parametrize("name, status, failure_code", [
    ("verify__failed_insufficient_funds", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("verify__failed_unknown_reason", S.FAILED, F.PROVIDER_DECLINED),
    ("verify__reversed", S.SUCCEEDED, None),
    ("verify__ongoing", S.PROCESSING, None),
])
def test_sync_statuses(paystack, name, status, failure_code):
    paystack.script(VERIFY_PATH, Reply(200, fixture(name)))
    result = connector(paystack.base_url).charge_sync(sync_request())
    assert (result.status, result.failure_code) == (status, failure_code)


@pytest.mark.parametrize("reply", [Reply(404, fixture("verify__not_found")), Reply(hang=True),
                                   Reply(500, b"oops"), Reply(401, fixture("error__invalid_key"))])
def test_a_failed_query_is_unknown_never_failed(paystack, reply):
    paystack.script(VERIFY_PATH, reply)
    result = connector(paystack.base_url, timeout_seconds=0.3).charge_sync(sync_request())
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, REFERENCE)


# -- the OTP step and saved cards -----------------------------------------------------------------------------------


def test_submit_otp_moves_on_to_the_next_step(paystack):
    result = connector(paystack.base_url).submit_otp(REFERENCE, " 123456 ")
    assert (result.status, result.next_action) == (S.REQUIRES_ACTION, PAY_OFFLINE)
    assert paystack.requests_to(SUBMIT_OTP_PATH)[0].json() == {"otp": "123456", "reference": REFERENCE}


@pytest.mark.parametrize("reference, otp, param", [(REFERENCE, "12ab", "otp"), (REFERENCE, "", "otp"),
                                                   ("bad ref!", "123456", "gateway_reference")])
def test_submit_otp_refuses_bad_input(reference, otp, param):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").submit_otp(reference, otp)
    assert excinfo.value.param == param


@pytest.mark.parametrize("reply", [
    Reply(400, {"status": False, "message": "Transaction is not awaiting an OTP"}),
    Reply(503, {"status": False, "message": "Service temporarily unavailable"}),
    Reply(401, fixture("error__invalid_key")),
    Reply(hang=True),
])
def test_an_otp_that_did_not_get_through_is_unknown_so_verify_decides(paystack, reply):
    """The charge exists already: a refused or lost OTP leaves it where it was, so it must never fail it."""
    paystack.script(SUBMIT_OTP_PATH, reply)
    result = connector(paystack.base_url, timeout_seconds=0.3).submit_otp(REFERENCE, "123456")
    assert (result.status, result.failure_code, result.gateway_reference) == (S.UNKNOWN, None, REFERENCE)


def test_an_otp_that_could_not_be_sent_is_unknown_too():
    result = connector(closed_port_url()).submit_otp(REFERENCE, "123456")
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, REFERENCE)


def test_saved_authorization_charge(paystack):
    success = fixture("charge_authorization__success")
    success["data"]["reference"] = transaction_reference("att_02")
    paystack.script(CHARGE_AUTHORIZATION_PATH, Reply(200, success))
    result = connector(paystack.base_url).charge_saved_authorization(
        card_request(50_000, attempt_id="att_02"), "AUTH_8dfhjjdt", "ada@example.com")
    assert (result.status, result.amount) == (S.SUCCEEDED, Money(50_000, "NGN"))
    body = paystack.requests_to(CHARGE_AUTHORIZATION_PATH)[0].json()
    assert (body["authorization_code"], body["reference"], body["amount"]) == ("AUTH_8dfhjjdt", "lipwa-att-02", 50_000)


def test_saved_authorization_decline(paystack):
    declined = fixture("charge_authorization__failed")
    paystack.script(CHARGE_AUTHORIZATION_PATH, Reply(200, declined))
    result = connector(paystack.base_url).charge_saved_authorization(card_request(50_000), "AUTH_8dfhjjdt",
                                                                     "ada@example.com")
    assert (result.status, result.failure_code) == (S.FAILED, F.INSUFFICIENT_FUNDS)


@pytest.mark.parametrize("code, email, param", [("nope", "ada@example.com", "authorization_code"),
                                                ("AUTH_x", "", "email")])
def test_saved_authorization_refuses_bad_input(code, email, param):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").charge_saved_authorization(card_request(), code, email)
    assert excinfo.value.param == param
