"""The connector's flows against a scripted FeexPay on 127.0.0.1: validation, and what each answer means.

The simulator-based contract battery covers the same flows end to end through the core; these tests pin one
wire answer → one ChargeResult at a time.
"""

from __future__ import annotations

import logging

import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.feexpay.connector import FeexpayConnector, description, is_card_charge, plain_text
from lipwa.connectors.feexpay.credentials import credentials_validate
from lipwa.connectors.types import AccountContext, ChargeRequest, FailureCode, ResultStatus, SyncRequest

from .stub import LINK_PATH, PENDING_REFERENCE, PUSH_MTN_PATH, STATUS_PATH, Reply, closed_port_url, fixture

S, F = ResultStatus, FailureCode
CALLBACK_URL = "https://pay.example.bj/hooks/feexpay/ca_test/tok3n/"
PHONE = "+2290197444893"  # PROVIDERS.md 5.2's sample payer: Benin, MTN (prefix 0197, 5.7)


def connector(base_url: str, *, timeout_seconds: float = 5.0, mode: str = "test", sleeps: list | None = None,
              **credential_overrides: str) -> FeexpayConnector:
    credentials = FeexpayConnector.simulator_credentials("unused") | {"base_url": base_url} | credential_overrides
    account = AccountContext(account_id="ca_test", connector="feexpay", mode=mode, credentials=credentials,
                             callback_url=CALLBACK_URL, timeout_seconds=timeout_seconds)
    return FeexpayConnector(account, sleep=(sleeps if sleeps is not None else []).append)


def charge_request(amount_minor: int = 5000, currency: str = "XOF", phone: str | None = PHONE,
                   network: str | None = "mtn", **fields) -> ChargeRequest:
    defaults = {"attempt_id": "att_01TEST", "payment_id": "pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                "merchant_reference": "BZ000005", "description": "Commande BZ000005"}
    return ChargeRequest(amount=Money(amount_minor, currency), phone=parse_phone(phone) if phone else None,
                         network=network, **(defaults | fields))


def sync_request(reference: str | None = PENDING_REFERENCE, state: dict | None = None) -> SyncRequest:
    return SyncRequest(attempt_id="att_01TEST", gateway_reference=reference, amount=Money(5000, "XOF"),
                       phone=parse_phone(PHONE), connector_state=state or {})


# -- the class ------------------------------------------------------------------------------------------


def test_declaration():
    assert (FeexpayConnector.id, FeexpayConnector.callback_slug) == ("feexpay", "feexpay")
    assert FeexpayConnector.methods == {"mobile_money", "card"}
    assert {f.name for f in FeexpayConnector.credential_fields if f.secret} == {"api_key", "webhook_secret"}


def test_simulator_credentials_are_valid():
    credentials = FeexpayConnector.simulator_credentials("http://127.0.0.1:8000/simulators/feexpay")
    assert credentials_validate(credentials) == {}
    assert credentials == {"base_url": "http://127.0.0.1:8000/simulators/feexpay/api", "api_key": "sim_key",
                           "shop_id": "sim_shop", "webhook_secret": "sim_secret"}


# -- validate_charge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_fields, param, code, words", [
    ({"amount_minor": 99}, "amount", "amount_too_small", "minimum of XOF 100 for MTN Mobile Money (Benin)"),
    ({"amount_minor": 2_000_001}, "amount", "amount_too_large", "maximum of XOF 2,000,000"),
    ({"currency": "XAF"}, "currency", "currency_not_supported", "charges XOF, not XAF"),
    ({"phone": "+254712345678"}, "phone", "invalid_phone", "is a KE number"),
    ({"network": "airtel"}, "network", "network_not_supported", "offers mtn, moov, celtiis in BJ, not 'airtel'"),
    ({"phone": "+24106123456", "network": None, "currency": "XAF"}, "network", "network_required",
     "FeexPay offers airtel, moov in GA"),
    ({"currency": "EUR", "amount_minor": 1050}, "amount", "amount_precision", "whole EUR only"),
    ({"currency": "EUR", "amount_minor": 0}, "amount", "amount_too_small", "minimum of EUR 1"),
    ({"currency": "USD", "amount_minor": 300_100}, "amount", "amount_too_large", "maximum of USD 3,000"),
    ({"currency": "GHS", "phone": None}, "currency", "currency_not_supported", "takes cards in EUR, USD, XOF"),
])
def test_validate_charge_refuses(request_fields, param, code, words):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(**request_fields))
    assert (excinfo.value.param, excinfo.value.code) == (param, code)
    assert words in excinfo.value.message


def test_refused_phones_are_masked_in_the_message():
    with pytest.raises(ConnectorInputError) as excinfo:
        connector("http://unused").validate_charge(charge_request(phone="+254712345678"))
    assert "254712345678" not in excinfo.value.message and "2547*****678" in excinfo.value.message


@pytest.mark.parametrize("request_fields", [
    {},
    {"amount_minor": 100}, {"amount_minor": 2_000_000},
    {"network": None},  # the prefix says MTN (5.7)
    {"phone": "+2290140123456", "network": None},  # Celtiis
    {"phone": "+2250701234567", "network": "wave"},  # Wave on any number, chosen explicitly
    {"phone": "+237671234567", "network": "mtn", "currency": "XAF"},
    {"phone": "+245955123456", "network": "orange"},
    {"phone": None, "currency": "XOF"},  # a card
    {"phone": None, "currency": "EUR", "amount_minor": 2500},
])
def test_validate_charge_accepts(request_fields):
    connector("http://unused").validate_charge(charge_request(**request_fields))


def test_a_card_is_recognised_by_currency_or_by_the_absence_of_a_phone():
    assert is_card_charge(charge_request(currency="EUR", amount_minor=1000))  # a phone does not make EUR mobile money
    assert is_card_charge(charge_request(phone=None))
    assert not is_card_charge(charge_request())


def test_charge_never_sends_what_validation_refuses(feexpay):
    with pytest.raises(ConnectorInputError):
        connector(feexpay.base_url).charge(charge_request(50))
    assert feexpay.received == []


# -- charge: mobile money -------------------------------------------------------------------------------


def test_a_pending_request_to_pay_is_processing_with_feexpays_reference(feexpay):
    result = connector(feexpay.base_url).charge(charge_request(customer_name="Client  Doe", customer_email="a@b.co"))
    assert (result.status, result.gateway_reference) == (S.PROCESSING, PENDING_REFERENCE)
    assert (result.gateway_status, result.amount) == ("PENDING", Money(5000, "XOF"))
    body = feexpay.requests_to(PUSH_MTN_PATH)[0].json()
    assert body == {"phoneNumber": "2290197444893", "amount": 5000, "shop": "sim_shop",
                    "description": "Commande BZ000005", "callback_info": "att_01TEST", "first_name": "Client",
                    "last_name": "Doe", "email": "a@b.co", "webhook_url": CALLBACK_URL}


@pytest.mark.parametrize("phone, network, path", [
    ("+2290140123456", "celtiis", "/api/transactions/public/requesttopay/celtiis_bj"),
    ("+2250701234567", "orange", "/api/transactions/public/requesttopay/orange_ci"),
    ("+22890123456", None, "/api/transactions/public/requesttopay/togocom_tg"),
])
def test_the_payers_network_picks_the_path(feexpay, phone, network, path):
    connector(feexpay.base_url).charge(charge_request(phone=phone, network=network))
    assert feexpay.received[0].path == path
    assert feexpay.received[0].json()["phoneNumber"] == phone.lstrip("+")


@pytest.mark.parametrize("fixture_name, status, failure_code", [
    ("request_to_pay__failed_low_balance", S.FAILED, F.INSUFFICIENT_FUNDS),  # Moov answers FAILED at once (5.2)
    ("request_to_pay__successful", S.SUCCEEDED, None),
])
def test_a_request_to_pay_may_already_be_final(feexpay, fixture_name, status, failure_code):
    feexpay.script(PUSH_MTN_PATH, Reply(200, fixture(fixture_name)))
    result = connector(feexpay.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)
    assert result.gateway_reference == fixture(fixture_name)["reference"]


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(503, b"Service Unavailable", content_type="text/plain"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(429, {"message": "Too Many Attempts."}), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(500, b"<html>oops</html>"), S.UNKNOWN, None),
    (Reply(502, b"Bad Gateway"), S.UNKNOWN, None),
    (Reply(401, fixture("error__unauthenticated")), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(404, {"message": "Not found"}), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(422, fixture("error__validation_phone")), S.FAILED, F.INVALID_PHONE),
    (Reply(200, b"<html>a captive portal</html>", content_type="text/html"), S.UNKNOWN, None),
    (Reply(200, {"status": "PENDING"}), S.UNKNOWN, None),
    (Reply(200, {"reference": "FXP-9", "status": "QUEUED"}), S.UNKNOWN, None),
])
def test_other_answers(feexpay, reply, status, failure_code):
    feexpay.script(PUSH_MTN_PATH, reply)
    result = connector(feexpay.base_url).charge(charge_request())
    assert (result.status, result.failure_code) == (status, failure_code)


def test_a_timeout_is_unknown_without_a_reference(feexpay):
    feexpay.script(PUSH_MTN_PATH, Reply(hang=True))
    result = connector(feexpay.base_url, timeout_seconds=0.3).charge(charge_request())
    assert (result.status, result.gateway_reference, result.failure_code) == (S.UNKNOWN, None, None)
    assert len(feexpay.requests_to(PUSH_MTN_PATH)) == 1


def test_a_refused_connection_fails_as_provider_unavailable():
    result = connector(closed_port_url()).charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)


def test_unusable_credentials_fail_as_configuration_without_a_request(feexpay):
    result = connector(feexpay.base_url, shop_id="", api_key="").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "shop_id" in result.gateway_message and "api_key" in result.gateway_message
    assert feexpay.received == []


def test_a_sandbox_key_cannot_charge_a_live_account(feexpay):
    result = connector(feexpay.base_url, mode="live", api_key="test_123").charge(charge_request())
    assert (result.status, result.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    assert "sandbox key" in result.gateway_message and "test_123" not in result.gateway_message
    assert feexpay.received == []


def test_secrets_and_phones_never_reach_logs_results_or_reprs(feexpay, caplog):
    caplog.set_level(logging.DEBUG)
    feexpay_connector = connector(feexpay.base_url, api_key="fp_live_secret_key", webhook_secret="whsec_secret")
    results = [feexpay_connector.charge(charge_request())]
    feexpay.script(PUSH_MTN_PATH, Reply(401, fixture("error__unauthenticated")))
    results.append(feexpay_connector.charge(charge_request()))
    results.append(feexpay_connector.charge_sync(sync_request()))
    seen = caplog.text + " ".join(repr(result) for result in results) + repr(feexpay_connector.account)
    for secret in ("fp_live_secret_key", "whsec_secret", "2290197444893"):
        assert secret not in seen


# -- charge: cards ----------------------------------------------------------------------------------------


def test_a_card_charge_is_a_redirect_to_the_hosted_page(feexpay):
    result = connector(feexpay.base_url).charge(
        charge_request(2500, "EUR", phone=None, network=None, return_url="https://shop.example/done"))
    url = "https://checkout.feexpay.me/6f1c2a9b8e7d6c5b4a3f"
    assert (result.status, result.gateway_reference) == (S.REQUIRES_ACTION, "6f1c2a9b8e7d6c5b4a3f")
    assert result.next_action == {"type": "redirect", "url": url}
    assert result.connector_state == {"flow": "card", "url": url}
    assert feexpay.requests_to(LINK_PATH)[0].json() == {
        "shop": "sim_shop", "amount": 25, "description": "Commande BZ000005", "paymentMethod": "CARD",
        "currency": "EUR", "callback_info": "att_01TEST", "webhook_url": CALLBACK_URL,
        "callback_url": "https://shop.example/done", "callback_error": "https://shop.example/done"}


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(503, b"down", content_type="text/plain"), S.FAILED, F.PROVIDER_UNAVAILABLE),
    (Reply(401, fixture("error__unauthenticated")), S.FAILED, F.CONFIGURATION_ERROR),
    (Reply(200, {"url": "https://elsewhere"}), S.UNKNOWN, None),
    (Reply(hang=True), S.UNKNOWN, None),
])
def test_card_link_trouble(feexpay, reply, status, failure_code):
    feexpay.script(LINK_PATH, reply)
    result = connector(feexpay.base_url, timeout_seconds=0.3).charge(charge_request(phone=None, network=None))
    assert (result.status, result.failure_code, result.next_action) == (status, failure_code, None)


# -- charge_sync ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply, status, failure_code", [
    (Reply(200, fixture("status__successful")), S.SUCCEEDED, None),
    (Reply(200, fixture("status__success_spelling")), S.SUCCEEDED, None),
    (Reply(200, fixture("status__pending")), S.PROCESSING, None),
    (Reply(200, fixture("status__failed_payer_not_found")), S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    (Reply(200, {**fixture("status__pending"), "status": "ON_HOLD"}), S.UNKNOWN, None),
    (Reply(200, {**fixture("status__successful"), "reference": "FXP-someone-else"}), S.UNKNOWN, None),
    (Reply(404, {"message": "Transaction not found"}), S.UNKNOWN, None),
    (Reply(401, fixture("error__unauthenticated")), S.UNKNOWN, None),
    (Reply(200, b"nope", content_type="text/plain"), S.UNKNOWN, None),
])
def test_sync_classifies_the_status(feexpay, reply, status, failure_code):
    feexpay.script(STATUS_PATH, reply)
    result = connector(feexpay.base_url).charge_sync(sync_request())
    assert (result.status, result.failure_code, result.gateway_reference) == (status, failure_code, PENDING_REFERENCE)


def test_sync_success_reports_the_amount(feexpay):
    result = connector(feexpay.base_url).charge_sync(sync_request())
    assert (result.amount, result.gateway_status, result.gateway_message) == (
        Money(5000, "XOF"), "SUCCESSFUL", "Paiement effectué avec succès")


def test_sync_backs_off_through_the_injected_sleep(feexpay):
    feexpay.script(STATUS_PATH, Reply(503, b"busy", content_type="text/plain"), Reply(200, fixture("status__pending")))
    sleeps: list[float] = []
    result = connector(feexpay.base_url, sleeps=sleeps).charge_sync(sync_request())
    assert result.status is S.PROCESSING
    assert sleeps == [0.5]


def test_sync_when_feexpay_is_unreachable_is_unknown():
    sleeps: list[float] = []
    result = connector(closed_port_url(), sleeps=sleeps).charge_sync(sync_request())
    assert (result.status, result.failure_code) == (S.UNKNOWN, None)
    assert sleeps == [0.5, 1.0, 2.0]


def test_sync_without_a_reference_asks_nothing(feexpay):
    result = connector(feexpay.base_url).charge_sync(sync_request(None))
    assert result.status is S.UNKNOWN
    assert feexpay.received == []


def test_a_card_link_not_yet_paid_still_requires_action_without_asking(feexpay):
    state = {"flow": "card", "url": "https://checkout.feexpay.me/6f1c"}
    result = connector(feexpay.base_url).charge_sync(sync_request("6f1c", state))
    assert (result.status, result.gateway_reference) == (S.REQUIRES_ACTION, "6f1c")
    assert result.next_action == {"type": "redirect", "url": "https://checkout.feexpay.me/6f1c"}
    assert feexpay.received == []


def test_a_paid_card_link_is_queried_by_its_transaction(feexpay):
    state = {"flow": "card", "url": "https://checkout.feexpay.me/6f1c", "reference": PENDING_REFERENCE}
    result = connector(feexpay.base_url).charge_sync(sync_request("6f1c", state))
    assert (result.status, result.gateway_reference) == (S.SUCCEEDED, "6f1c")  # the attempt keeps the link
    assert result.connector_state == {"reference": PENDING_REFERENCE}
    assert len(feexpay.requests_to(STATUS_PATH)) == 1


# -- what FeexPay shows the customer ----------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("Commande BZ000005", "Commande BZ000005"),
    ("Dépôt n° 7 — INV-2024/7", "Depot n 7 INV 2024 7"),
    ("☕✓", ""),
])
def test_descriptions_are_letters_digits_and_spaces(value, expected):
    assert plain_text(value) == expected


def test_description_falls_back_to_the_reference_then_the_payment():
    assert description(charge_request(description="✓", merchant_reference="INV-7")) == "INV 7"
    assert description(charge_request(description="", merchant_reference="")) == "Paiement P6Q7R8S9T0VW"
    assert len(description(charge_request(description="x" * 300))) == 100


def test_webhook_methods_delegate():
    feexpay_connector = connector("http://unused")
    assert feexpay_connector.webhook_ack(True).status_code == 200
    assert feexpay_connector.webhook_ack(False).status_code == 400
