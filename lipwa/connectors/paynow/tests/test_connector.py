"""The connector's flows against a scripted Paynow on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery covers the same flows end to end through the core; these tests pin one
wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError, NotSupported
from lipwa.connectors.paynow.connector import PaynowConnector, paynow_reference_for
from lipwa.connectors.paynow.credentials import credentials_validate
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    OperationSyncRequest,
    PayoutRequest,
    RefundRequest,
    ResultStatus,
    SyncRequest,
)

from .stub import EXPRESS_PATH, KEY, POLL_PATH, REFERENCE, WEB_PATH, Reply, closed_port_url, fixture_body, signed

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.co.zw/hooks/paynow/ca_test/tok3n/"


def connector(base_url: str, *, mode: str = "test", timeout_seconds: float = 5.0, **overrides: str) -> PaynowConnector:
    credentials = PaynowConnector.simulator_credentials(base_url) | overrides
    return PaynowConnector(AccountContext(account_id="ca_test", connector="paynow", mode=mode,
                                          credentials=credentials, callback_url=CALLBACK_URL,
                                          timeout_seconds=timeout_seconds))


def charge_request(amount_minor: int = 1000, currency: str = "USD", phone: str | None = "+263771234567",
                   **fields) -> ChargeRequest:
    defaults = {"attempt_id": REFERENCE, "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "INV-2024-7", "description": "Safari deposit"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone, "ZW") if phone else None,
                         **(defaults | fields))


def web_request(**fields) -> ChargeRequest:
    return charge_request(phone=None, return_url="https://shop.example/return", **fields)


def sync_request(state: dict[str, str] | None, reference: str | None = REFERENCE) -> SyncRequest:
    return SyncRequest(attempt_id=REFERENCE, gateway_reference=reference, amount=Money(1000, "USD"),
                       connector_state=state or {})


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (PaynowConnector.id, PaynowConnector.callback_slug) == ("paynow", "paynow")
    assert PaynowConnector.methods == {"mobile_money", "card"}
    assert (PaynowConnector.currencies, PaynowConnector.countries) == ({"USD", "ZWG"}, {"ZW"})
    assert PaynowConnector.networks == {"econet", "netone", "innbucks"}
    assert {f.name for f in PaynowConnector.credential_fields if f.secret} == {"integration_key"}


def test_simulator_credentials_are_valid():
    credentials = PaynowConnector.simulator_credentials("http://127.0.0.1:8000/simulators/paynow")
    assert credentials_validate(credentials) == {}
    assert (credentials["integration_id"], credentials["integration_key"]) == ("sim_key", "sim_secret")


def test_the_reference_is_the_attempt_id():
    assert paynow_reference_for("att_01ABC") == "att_01ABC"


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_fields, param, code, words", [
    ({"currency": "KES", "amount_minor": 1000}, "currency", "currency_not_supported", "USD or ZWG"),
    ({"currency": "ZWG"}, "currency", "currency_not_supported", "integration charges in USD, not ZWG"),
    ({"amount_minor": 0}, "amount", "amount_too_small", "minimum of USD 0.01"),
    ({"amount_minor": -5}, "amount", "amount_too_small", "minimum of USD 0.01"),
    ({"phone": "+254712345678"}, "phone", "invalid_phone", "Zimbabwean mobile number"),
    ({"phone": "+263731234567"}, "network", "network_not_supported", "EcoCash (Econet), OneMoney (NetOne)"),
    ({"network": "telecel"}, "network", "network_not_supported", "the telecel network"),
])
def test_validate_charge_refuses(request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


@pytest.mark.parametrize("return_url, code", [("", "return_url_required"), ("javascript:alert(1)", "invalid_url")])
def test_card_payments_need_a_return_url(return_url, code):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(phone=None, return_url=return_url))
    assert (excinfo.value.param, excinfo.value.code) == ("return_url", code)


def test_a_zwg_integration_takes_zwg():
    connector("http://unused", currency="ZWG").validate_charge(charge_request(currency="ZWG"))


def test_refused_phones_are_masked_in_the_message():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(phone="+254712345678"))
    assert "254712345678" not in excinfo.value.message


def test_charge_never_sends_what_validation_refuses(paynow):
    with pytest.raises(ConnectorInputError):
        connector(paynow.base_url).charge(charge_request(currency="ZWG"))
    assert paynow.received == []


# -- charge: express ------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone, network, method", [
    ("+263771234567", None, "ecocash"), ("+263781234567", None, "ecocash"), ("+263712345678", None, "onemoney"),
    ("+263771234567", "netone", "onemoney"),  # a ported number: the core's network wins over the prefix
    ("+263731234567", "innbucks", "innbucks"),
])
def test_express_checkout_picks_the_wallet(paynow, phone, network, method):
    result = connector(paynow.base_url).charge(charge_request(phone=phone, network=network))
    assert result.status is S.PROCESSING
    fields = paynow.requests_to(EXPRESS_PATH)[0].fields()
    assert (fields["method"], fields["phone"]) == (method, "0" + phone[4:])


def test_accepted_express_checkout_is_processing_with_our_reference(paynow):
    result = connector(paynow.base_url).charge(charge_request(1234))
    assert (result.status, result.gateway_reference, result.gateway_status) == (S.PROCESSING, REFERENCE, "Ok")
    assert result.gateway_message == "Approve on your phone"
    assert result.connector_state == {"flow": "express", "method": "ecocash", "pollurl": paynow.poll_url,
                                      "paynow_reference": "9,510"}
    fields = paynow.requests_to(EXPRESS_PATH)[0].fields()
    assert (fields["reference"], fields["amount"], fields["additionalinfo"]) == (REFERENCE, "12.34", "Safari deposit")
    assert (fields["resulturl"], fields["returnurl"], fields["authemail"]) == (
        CALLBACK_URL, CALLBACK_URL, "merchant@example.com")


def test_innbucks_shows_the_authorization_code(paynow):
    paynow.script(EXPRESS_PATH, Reply(200, fixture_body("initiate__innbucks_ok")))
    result = connector(paynow.base_url).charge(charge_request(network="innbucks"))
    assert result.status is S.REQUIRES_ACTION
    expires = datetime(2024, 6, 1, 12, 5, tzinfo=UTC).isoformat()
    assert result.next_action == {"type": "display_code", "code": "123456789", "expires_at": expires}
    assert result.connector_state["authorization_code"] == "123456789"


@pytest.mark.parametrize("mode, customer_email, merchant_email, sent", [
    ("test", "buyer@example.com", "owner@shop.co.zw", "owner@shop.co.zw"),  # test mode: the merchant's login
    ("live", "buyer@example.com", "owner@shop.co.zw", "buyer@example.com"),
    ("live", "", "owner@shop.co.zw", "owner@shop.co.zw"),
])
def test_authemail(paynow, mode, customer_email, merchant_email, sent):
    paynow_connector = connector(paynow.base_url, mode=mode, merchant_email=merchant_email)
    paynow_connector.charge(charge_request(customer_email=customer_email))
    assert paynow.requests_to(EXPRESS_PATH)[0].fields()["authemail"] == sent


def test_express_without_any_authemail_fails_as_configuration_without_sending(paynow):
    result = connector(paynow.base_url, merchant_email="").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "merchant login email" in result.gateway_message
    assert paynow.received == []


# -- charge: web ----------------------------------------------------------------------------------------


def test_web_checkout_redirects_to_the_browser_url(paynow):
    result = connector(paynow.base_url).charge(web_request())
    assert result.status is S.REQUIRES_ACTION
    assert result.next_action == {"type": "redirect", "url": paynow.browser_url}
    assert result.gateway_reference == REFERENCE
    assert result.connector_state["pollurl"] == paynow.poll_url
    assert paynow.requests_to(WEB_PATH)[0].fields()["returnurl"] == "https://shop.example/return"


def test_a_method_on_the_request_wins_over_the_phone(paynow):
    card = dataclasses.replace(charge_request(return_url="https://shop.example/return"), method="card")
    assert connector(paynow.base_url).charge(card).status is S.REQUIRES_ACTION
    assert paynow.requests_to(WEB_PATH) and not paynow.requests_to(EXPRESS_PATH)


# -- charge: refusals, bad hashes, transport ------------------------------------------------------------


@pytest.mark.parametrize("fixture_name, failure_code", [
    ("initiate__error_invalid_hash", F.CONFIGURATION_ERROR),
    ("initiate__error_test_mode_authemail", F.CONFIGURATION_ERROR),
    ("initiate__error_insufficient_balance", F.INSUFFICIENT_FUNDS),
])
def test_error_answers_are_failed_refusals(paynow, fixture_name, failure_code):
    paynow.script(EXPRESS_PATH, Reply(200, fixture_body(fixture_name)))
    result = connector(paynow.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, failure_code, "Error")
    assert result.gateway_reference is None, "nothing was created"


@pytest.mark.parametrize("fixture_name", ["initiate__ok_wrong_hash", "initiate__ok_without_hash"])
def test_an_ok_with_a_bad_hash_is_unknown_and_keeps_only_the_poll_url(paynow, fixture_name, caplog):
    paynow.script(EXPRESS_PATH, Reply(200, fixture_body(fixture_name)))
    result = connector(paynow.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (S.UNKNOWN, None, REFERENCE)
    assert set(result.connector_state) == {"flow", "method", "pollurl"}
    assert "not trusted" in caplog.text


def test_a_web_answer_with_a_bad_hash_never_redirects_the_customer(paynow):
    body = signed([("status", "Ok"), ("browserurl", "https://evil.example/pay"), ("pollurl", paynow.poll_url)],
                  "forged")
    paynow.script(WEB_PATH, Reply(200, body))
    result = connector(paynow.base_url).charge(web_request())
    assert (result.status, result.next_action) == (S.UNKNOWN, None)


def test_an_unknown_initiate_status_is_unknown(paynow):
    paynow.script(EXPRESS_PATH, Reply(200, signed([("status", "Queued"), ("pollurl", paynow.poll_url)])))
    result = connector(paynow.base_url).charge(charge_request())
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, REFERENCE)


def test_a_timeout_is_unknown_with_our_reference(paynow):
    paynow.script(EXPRESS_PATH, Reply(hang=True))
    result = connector(paynow.base_url, timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (S.UNKNOWN, None, REFERENCE)


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (
        S.FAILED, F.PROVIDER_UNAVAILABLE, None)


@pytest.mark.parametrize("reply, status, failure_code, reference", [
    (Reply(503, b"<html>Service Unavailable</html>"), S.FAILED, F.PROVIDER_UNAVAILABLE, None),
    (Reply(404, b"<html>Not found</html>"), S.FAILED, F.CONFIGURATION_ERROR, None),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None, REFERENCE),
    (Reply(502, b"<html>Bad gateway</html>"), S.UNKNOWN, None, REFERENCE),
    (Reply(200, b"<html>a captive portal</html>"), S.UNKNOWN, None, REFERENCE),
])
def test_answers_that_are_not_paynows(paynow, reply, status, failure_code, reference):
    paynow.script(EXPRESS_PATH, reply)
    result = connector(paynow.base_url).charge(charge_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, reference)
    assert result.gateway_status == f"HTTP {reply.status}"


def test_unusable_credentials_fail_as_configuration_without_a_request(paynow):
    result = connector(paynow.base_url, integration_key="", integration_id="a b").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "integration_key" in result.gateway_message and "integration_id" in result.gateway_message
    assert paynow.received == []


def test_secrets_never_reach_logs_results_or_reprs(paynow, caplog):
    caplog.set_level(logging.DEBUG)
    paynow_connector = connector(paynow.base_url)
    results = [paynow_connector.charge(charge_request())]
    paynow.script(EXPRESS_PATH, Reply(200, fixture_body("initiate__ok_wrong_hash")))
    results.append(paynow_connector.charge(charge_request()))
    results.append(connector(paynow.base_url, integration_key="bad key").charge(charge_request()))
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(paynow_connector.account)
    for secret in (KEY, "bad key", "263771234567", "0771234567"):
        assert secret not in seen


# -- charge_sync ----------------------------------------------------------------------------------------


def express_state(poll_url: str) -> dict[str, str]:
    return {"flow": "express", "method": "ecocash", "pollurl": poll_url, "paynow_reference": "9,510"}


@pytest.mark.parametrize("status, result_status, failure_code", [
    ("Paid", S.SUCCEEDED, None), ("Delivered", S.SUCCEEDED, None), ("Awaiting Delivery", S.SUCCEEDED, None),
    ("Disputed", S.SUCCEEDED, None), ("Cancelled", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("Failed", S.FAILED, F.PROVIDER_DECLINED), ("Sent", S.PROCESSING, None), ("Created", S.PENDING, None),
    ("Reversed", S.UNKNOWN, None),
])
def test_sync_classifies_the_poll(paynow, status, result_status, failure_code):
    paynow.script(POLL_PATH, Reply(200, paynow.poll_body(status)))
    result = connector(paynow.base_url).charge_sync(sync_request(express_state(paynow.poll_url)))
    assert (result.status, result.failure_code, result.gateway_status) == (result_status, failure_code, status)
    assert (result.gateway_reference, result.receipt_number, result.amount) == (REFERENCE, "9,510", Money(1000, "USD"))


@pytest.mark.parametrize("state_extra, next_action", [
    ({"flow": "web", "browserurl": "https://www.paynow.co.zw/Payment/ConfirmPayment/9510"},
     {"type": "redirect", "url": "https://www.paynow.co.zw/Payment/ConfirmPayment/9510"}),
    ({"method": "innbucks", "authorization_code": "123456789", "authorization_expires_at": ""},
     {"type": "display_code", "code": "123456789", "expires_at": None}),
])
@pytest.mark.parametrize("status", ["Created", "Sent"])
def test_sync_keeps_the_customers_next_action_until_final(paynow, state_extra, next_action, status):
    paynow.script(POLL_PATH, Reply(200, paynow.poll_body(status)))
    state = express_state(paynow.poll_url) | state_extra
    result = connector(paynow.base_url).charge_sync(sync_request(state))
    assert (result.status, result.next_action) == (S.REQUIRES_ACTION, next_action)


def test_sync_drops_the_next_action_once_final(paynow):
    state = express_state(paynow.poll_url) | {"flow": "web", "browserurl": paynow.browser_url}
    result = connector(paynow.base_url).charge_sync(sync_request(state))
    assert (result.status, result.next_action) == (S.SUCCEEDED, None)


@pytest.mark.parametrize("reply", [
    Reply(200, b"status=Error&error=Invalid+transaction"),
    Reply(500, b"<html>oops</html>"),
    Reply(200, b"<html>captive portal</html>"),
    Reply(hang=True),
])
def test_a_failed_poll_is_unknown(paynow, reply):
    paynow.script(POLL_PATH, reply)
    result = connector(paynow.base_url, timeout_seconds=0.3).charge_sync(sync_request(express_state(paynow.poll_url)))
    assert (result.status, result.failure_code, result.gateway_reference) == (S.UNKNOWN, None, REFERENCE)


def test_a_poll_with_a_bad_hash_is_never_trusted_or_failed(paynow, caplog):
    for status in ("Paid", "Failed", "Cancelled"):
        paynow.script(POLL_PATH, Reply(200, paynow.poll_body(status, key="forged")))
        result = connector(paynow.base_url).charge_sync(sync_request(express_state(paynow.poll_url)))
        assert (result.status, result.failure_code) == (S.UNKNOWN, None)
    assert "not trusted" in caplog.text


def test_a_poll_about_another_reference_never_settles_this_one(paynow):
    paynow.script(POLL_PATH, Reply(200, paynow.poll_body("Paid", reference="att_SOMEONE_ELSE")))
    result = connector(paynow.base_url).charge_sync(sync_request(express_state(paynow.poll_url)))
    assert result.status is S.UNKNOWN


def test_a_poll_with_an_unreadable_amount_is_unknown(paynow):
    paynow.script(POLL_PATH, Reply(200, paynow.poll_body("Paid", amount="ten")))
    assert connector(paynow.base_url).charge_sync(sync_request(express_state(paynow.poll_url))).status is S.UNKNOWN


def test_sync_without_a_poll_url_asks_nothing_and_stays_unknown(paynow):
    result = connector(paynow.base_url).charge_sync(sync_request({"flow": "express"}, reference=None))
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, REFERENCE)
    assert paynow.received == []


def test_sync_refuses_a_poll_url_on_another_host(paynow, caplog):
    state = express_state("http://169.254.169.254/latest/meta-data/")
    result = connector(paynow.base_url).charge_sync(sync_request(state))
    assert result.status is S.UNKNOWN
    assert "not on the configured Paynow host" in caplog.text
    assert paynow.received == []


def test_sync_when_paynow_is_unreachable_is_unknown():
    base = closed_port_url()
    result = connector(base).charge_sync(sync_request(express_state(base + POLL_PATH + "?guid=x")))
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)


# -- callbacks and the flows Paynow does not offer --------------------------------------------------------


def test_webhook_methods_use_the_accounts_key_and_currency(paynow):
    from lipwa.connectors.types import InboundRequest, WebhookVerification

    paynow_connector = connector(paynow.base_url, currency="ZWG")
    inbound = InboundRequest(headers={}, body=fixture_body("status_update__paid"))
    assert paynow_connector.webhook_verify(inbound) is WebhookVerification.VERIFIED
    assert paynow_connector.webhook_parse(inbound).result.amount == Money(1000, "ZWG")
    assert connector(paynow.base_url, integration_key="").webhook_verify(inbound) is WebhookVerification.REJECTED
    assert paynow_connector.webhook_ack(True).status_code == 200


def test_refunds_payouts_and_lookups_are_not_offered_by_paynow():
    paynow_connector = connector("http://unused")
    money, phone = Money(1000, "USD"), parse_phone("+263771234567")
    calls = [
        lambda: paynow_connector.refund(RefundRequest("rfd_1", "pay_1", REFERENCE, money)),
        lambda: paynow_connector.refund_sync(OperationSyncRequest("rfd_1", None, money)),
        lambda: paynow_connector.payout(PayoutRequest("po_1", money, phone)),
        lambda: paynow_connector.payout_sync(OperationSyncRequest("po_1", None, money)),
        lambda: paynow_connector.account_holder_lookup("+263771234567"),
    ]
    for call in calls:
        with pytest.raises(NotSupported):
            call()
