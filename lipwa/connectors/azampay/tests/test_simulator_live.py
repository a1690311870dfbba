"""The connector's optional flows and a plain HTTP client against the simulator over loopback (the live server).

The payments core does not call bank checkout, payouts or name lookup yet, so these tests call the connector
directly with the demo merchant's simulator credentials, as the core will.
"""

from __future__ import annotations

import httpx
import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.azampay.connector import AzamPayConnector
from lipwa.connectors.azampay.simulator import state
from lipwa.connectors.azampay.webhooks import webhook_parse
from lipwa.connectors.registry import connector_class
from lipwa.connectors.testing.contract import wait_for
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    InboundRequest,
    OperationSyncRequest,
    PayoutRequest,
    ResultStatus,
    SyncRequest,
)

from .test_simulator_support import Receiver

pytestmark = pytest.mark.django_db(transaction=True)
S, F = ResultStatus, FailureCode


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def simulator_base_url(lipwa_server) -> str:
    return f"{lipwa_server.url}/simulators/azampay"


@pytest.fixture
def make_connector(simulator_base_url, receiver):
    def make(*, timeout_seconds: float = 10.0, **overrides: str) -> AzamPayConnector:
        credentials = connector_class("azampay").simulator_credentials(simulator_base_url) | overrides
        return AzamPayConnector(AccountContext(account_id="ca_live", connector="azampay", mode="test",
                                               credentials=credentials, callback_url=receiver.url,
                                               timeout_seconds=timeout_seconds))
    return make


def charge_request(phone: str, attempt_id: str = "att_live", **fields) -> ChargeRequest:
    return ChargeRequest(attempt_id=attempt_id, payment_id="pay_live", amount=Money(250_000, "TZS"),
                         phone=parse_phone(phone), **fields)


def sync(connector: AzamPayConnector, result, attempt_id: str = "att_live"):
    return connector.charge_sync(SyncRequest(attempt_id=attempt_id, gateway_reference=result.gateway_reference,
                                             amount=Money(250_000, "TZS"), connector_state=result.connector_state))


# -- checkouts ----------------------------------------------------------------------------------------------


def test_bank_checkout_end_to_end(make_connector, receiver):
    azampay = make_connector()
    result = azampay.bank_checkout(charge_request("+255754123456"), bank="CRDB", account_number="0150123456789",
                                   otp="123456")
    assert result.status is S.PROCESSING
    assert receiver.wait_for(1)
    parsed = webhook_parse(InboundRequest(headers={}, body=receiver.raw[0]))
    assert (parsed.gateway_reference, parsed.result.status) == (result.gateway_reference, S.SUCCEEDED)
    assert parsed.result.amount == Money(250_000, "TZS")
    assert sync(azampay, result).status is S.SUCCEEDED


def test_bank_checkout_with_a_wrong_otp_fails_as_wrong_pin(make_connector, receiver):
    azampay = make_connector()
    result = azampay.bank_checkout(charge_request("+255754123456"), bank="NMB", account_number="20110012009",
                                   otp="000000")
    assert receiver.wait_for(1)
    queried = sync(azampay, result)
    assert (queried.status, queried.failure_code, queried.gateway_message) == (S.FAILED, F.WRONG_PIN,
                                                                               "Invalid OTP entered")


def test_an_azampesa_wallet_is_charged_when_named(make_connector, receiver):
    result = make_connector().charge(charge_request("+255754123456", network="azampesa"))
    assert result.status is S.PROCESSING
    [stored] = state.checkouts_snapshot()
    assert (stored.provider, stored.external_id) == ("Azampesa", result.gateway_reference)


def test_a_prompt_nobody_answers_stays_processing(make_connector):
    azampay = make_connector()
    result = azampay.charge(charge_request("+255754121111"))
    assert sync(azampay, result).status is S.PROCESSING  # lipwa's own expiry ends it (PROVIDERS.md 4.10)


def test_a_lost_checkout_answer_is_found_by_our_external_id(make_connector, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    azampay = make_connector(timeout_seconds=0.3)
    result = azampay.charge(charge_request("+255754123007", attempt_id="att_hang"))
    assert (result.status, result.connector_state.get("transaction_id")) == (S.UNKNOWN, None)
    assert sync(azampay, result, attempt_id="att_hang").status is S.SUCCEEDED


def test_wrong_credentials_fail_as_configuration(make_connector):
    result = make_connector(client_secret="nope").charge(charge_request("+255754123456"))
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, F.CONFIGURATION_ERROR,
                                                                           "HTTP 423")


def test_a_wrong_api_key_fails_as_configuration(make_connector):
    result = make_connector(api_key="nope").charge(charge_request("+255754123456"))
    assert (result.status, result.failure_code, result.gateway_status) == (S.FAILED, F.CONFIGURATION_ERROR,
                                                                           "HTTP 403")


# -- payouts and lookup -------------------------------------------------------------------------------------


def payout_request(phone: str, payout_id: str = "po_live") -> PayoutRequest:
    return PayoutRequest(payout_id=payout_id, amount=Money(500_000, "TZS"), phone=parse_phone(phone),
                         recipient_name="Neema Mushi")


def payout_sync(azampay: AzamPayConnector, result, payout_id: str = "po_live"):
    return azampay.payout_sync(OperationSyncRequest(operation_id=payout_id, gateway_reference=result.gateway_reference,
                                                    amount=Money(500_000, "TZS"),
                                                    connector_state=result.connector_state))


@pytest.mark.parametrize("phone, status, failure_code", [
    ("+255714123456", S.SUCCEEDED, None),
    ("+255684123001", S.FAILED, F.INSUFFICIENT_FUNDS),
    ("+255614123009", S.FAILED, F.PROVIDER_DECLINED),
])
def test_payouts_are_accepted_then_settled_by_the_status_query(make_connector, phone, status, failure_code):
    azampay = make_connector()
    result = azampay.payout(payout_request(phone))
    assert result.status is S.PROCESSING
    settled = payout_sync(azampay, result)
    assert (settled.status, settled.failure_code) == (status, failure_code)


def test_a_payout_refused_with_503_created_nothing(make_connector):
    result = make_connector().payout(payout_request("+255714123006"))
    assert (result.status, result.failure_code) == (S.FAILED, F.PROVIDER_UNAVAILABLE)
    assert state.disbursements_snapshot() == []


def test_a_lost_payout_answer_is_resolved_by_the_status_query(make_connector, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    azampay = make_connector(timeout_seconds=0.3)
    result = azampay.payout(payout_request("+255714123007", payout_id="po_hang"))
    assert result.status is S.UNKNOWN
    wait_for(lambda: state.disbursements_snapshot(), "the disbursement to be stored")
    assert payout_sync(azampay, result, payout_id="po_hang").status is S.SUCCEEDED


def test_name_lookup(make_connector):
    azampay = make_connector()
    found = azampay.account_holder_lookup("0714123456")
    assert found.found and found.name
    assert azampay.account_holder_lookup("0714123404").found is False


# -- a plain HTTP client, as a third-party library would do it ----------------------------------------------


def test_raw_http_client_across_the_three_hosts(simulator_base_url, receiver):
    with httpx.Client(timeout=10) as http:
        issued = http.post(f"{simulator_base_url}/authenticator/AppRegistration/GenerateToken",
                           json={"appName": "demo", "clientId": "sim_key", "clientSecret": "sim_secret"})
        assert issued.status_code == 200, issued.text
        auth = {"Authorization": f"Bearer {issued.json()['data']['accessToken']}", "X-API-Key": "sim_api_key"}
        checkout = http.post(f"{simulator_base_url}/checkout/azampay/mno/checkout", headers=auth, json={
            "accountNumber": "0747123456", "amount": 2000, "currency": "TZS", "externalId": "third-party-1",
            "provider": "Mpesa", "callbackUrl": receiver.url, "checksum": "ignored"})
        assert checkout.status_code == 200 and checkout.json()["success"] is True
        assert receiver.wait_for(1)
        assert receiver.bodies[0]["utilityref"] == "third-party-1"
        assert receiver.bodies[0]["msisdn"] == "255747123456"
        queried = http.get(f"{simulator_base_url}/disbursement/api/v1/azampay/transactionstatus", headers=auth,
                           params={"pgReferenceId": checkout.json()["transactionId"], "bankName": "Mpesa"})
        assert queried.json() == {"data": "success", "message": "Transaction successful", "success": True,
                                  "statusCode": 200}


def test_raw_http_client_sees_azampay_s_refusals(simulator_base_url):
    with httpx.Client(timeout=10) as http:
        refused = http.post(f"{simulator_base_url}/authenticator/AppRegistration/GenerateToken",
                            json={"appName": "demo", "clientId": "sim_key", "clientSecret": "nope"})
        assert refused.status_code == 423 and refused.json()["success"] is False
        stale = http.post(f"{simulator_base_url}/checkout/azampay/mno/checkout",
                          headers={"Authorization": "Bearer stale", "X-API-Key": "sim_api_key"}, json={})
        assert stale.status_code == 401
        wrong_host = http.post(f"{simulator_base_url}/checkout/AppRegistration/GenerateToken", json={})
        assert wrong_host.status_code == 404
