"""The connector, its provisioning client and a plain third-party-style client against the simulator over
loopback (the live server): the sandbox with EUR and its magic numbers, provisioning, refunds, payouts, lookups.

DESIGN.md: "A third-party client library pointed at http://127.0.0.1:8000/simulators/mtn_momo must work
unchanged". No MTN MoMo client library is installed here, so the raw httpx test does what they all do.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.mtn_momo.client import MomoProvisioning, provision_sandbox_user
from lipwa.connectors.mtn_momo.connector import MtnMomoConnector
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    InboundRequest,
    OperationSyncRequest,
    PayoutRequest,
    RefundRequest,
    ResultStatus,
    SyncRequest,
)

from .test_simulator_support import URLCONF, Receiver

pytestmark = pytest.mark.urls(URLCONF)
S, F = ResultStatus, FailureCode


@pytest.fixture
def base_url(lipwa_server) -> str:
    return f"{lipwa_server.url}/simulators/mtn_momo"


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def connector(base_url: str, callback_url: str = "", timeout_seconds: float = 5.0, **overrides) -> MtnMomoConnector:
    credentials = MtnMomoConnector.simulator_credentials(base_url) | overrides
    return MtnMomoConnector(AccountContext("ca_live", "mtn_momo", "test", credentials, callback_url, timeout_seconds))


def charge_request(attempt_id: str, amount: Money, phone: str) -> ChargeRequest:
    return ChargeRequest(attempt_id=attempt_id, payment_id="pay_live", amount=amount, phone=parse_phone(phone),
                         description="Order 7")


def charge_and_sync(momo: MtnMomoConnector, attempt_id: str, amount: Money, phone: str):
    charged = momo.charge(charge_request(attempt_id, amount, phone))
    assert charged.status is S.PROCESSING, charged
    return momo.charge_sync(SyncRequest(attempt_id, charged.gateway_reference, amount))


# -- the sandbox: EUR only, and MTN's magic numbers (PROVIDERS.md 2.8) ---------------------------------------------

SANDBOX_CASES = [
    ("46733123450", S.FAILED, F.PROVIDER_DECLINED),
    ("46733123451", S.CANCELLED, F.CUSTOMER_CANCELLED),
    ("46733123452", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("46733123453", S.PROCESSING, None),
    ("46733123454", S.PROCESSING, None),
    ("46733123455", S.FAILED, F.SUBSCRIBER_NOT_FOUND),
    ("46733123457", S.FAILED, F.CONFIGURATION_ERROR),
    ("46733123460", S.FAILED, F.CONFIGURATION_ERROR),
    ("46733123462", S.FAILED, F.PROVIDER_UNAVAILABLE),
    ("46733123463", S.EXPIRED, F.CUSTOMER_TIMEOUT),
    ("46733123499", S.SUCCEEDED, None),
]


def test_sandbox_charges_eur_and_honours_the_magic_numbers(base_url):
    momo = connector(base_url, target_environment="sandbox")
    for index, (phone, status, failure_code) in enumerate(SANDBOX_CASES):
        synced = charge_and_sync(momo, f"att_sandbox_{index}", Money(1050, "EUR"), f"+{phone}")
        assert (synced.status, synced.failure_code) == (status, failure_code), phone
    assert synced.amount == Money(1050, "EUR") and synced.receipt_number and synced.payer == "46733123499"


def test_the_sandbox_refuses_local_currency_before_anything_is_sent(base_url):
    with pytest.raises(ConnectorInputError) as excinfo:
        connector(base_url, target_environment="sandbox").charge(
            charge_request("att_ugx", Money(1000, "UGX"), "+256772123456"))
    assert excinfo.value.code == "currency_not_supported"
    assert "EUR" in excinfo.value.message


def test_a_retry_after_a_timeout_re_uses_the_reference_instead_of_charging_twice(base_url, settings):
    from lipwa.connectors.mtn_momo.simulator import state

    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    momo = connector(base_url, timeout_seconds=0.3)
    lost = momo.charge(charge_request("att_retry", Money(1000, "UGX"), "+256772123007"))
    assert (lost.status, lost.failure_code) == (S.UNKNOWN, None) and lost.gateway_reference
    again = momo.charge(charge_request("att_retry", Money(1000, "UGX"), "+256772123007"))
    # MTN answers 409 for the reused X-Reference-Id, and the connector reads that request's status instead.
    assert (again.status, again.gateway_reference) == (S.SUCCEEDED, lost.gateway_reference)
    assert len(state.operations_snapshot()) == 1


# -- provisioning (PROVIDERS.md 2.2) and the callback round trip ------------------------------------------------


def test_provisioned_sandbox_user_charges_and_its_callback_maps_back(base_url, receiver):
    host = urlsplit(receiver.url).hostname
    api_user, api_key = provision_sandbox_user(base_url, "sim_subscription_key", host)
    with MomoProvisioning(base_url, "sim_subscription_key") as provisioning:
        info = provisioning.api_user(api_user)
    assert (info.provider_callback_host, info.target_environment) == (host, "sandbox")
    momo = connector(base_url, receiver.url, target_environment="sandbox", api_user=api_user, api_key=api_key)
    charged = momo.charge(charge_request("att_provisioned", Money(500, "EUR"), "+46733123499"))
    assert charged.status is S.PROCESSING
    assert receiver.wait_for(1)
    parsed = momo.webhook_parse(InboundRequest(headers={}, body=receiver.raw[0]))
    # The callback has no X-Reference-Id; the externalId (the attempt id) gives it back.
    assert parsed.gateway_reference == charged.gateway_reference
    assert (parsed.result.status, parsed.result.amount) == (S.SUCCEEDED, Money(500, "EUR"))


def test_provisioned_users_cannot_reach_production_environments(base_url):
    api_user, api_key = provision_sandbox_user(base_url, "sim_subscription_key", "cb.example.com")
    momo = connector(base_url, api_user=api_user, api_key=api_key)  # mtnuganda
    result = momo.charge(charge_request("att_env", Money(1000, "UGX"), "+256772123456"))
    assert (result.status, result.failure_code, result.gateway_status) == (
        S.FAILED, F.CONFIGURATION_ERROR, "HTTP 500 NOT_ALLOWED_TARGET_ENVIRONMENT")


# -- refunds, payouts, lookups through the disbursement product ----------------------------------------------------


def test_refunds_of_a_successful_charge(base_url):
    momo = connector(base_url)
    charged = charge_and_sync(momo, "att_refundable", Money(10_000, "UGX"), "+256772123456")
    assert charged.status is S.SUCCEEDED

    def refund(refund_id: str, amount_minor: int, reference: str | None = None):
        request = RefundRequest(refund_id=refund_id, payment_id="pay_live",
                                charge_reference=reference or charged.gateway_reference,
                                amount=Money(amount_minor, "UGX"), reason="Returned goods")
        started = momo.refund(request)
        synced = momo.refund_sync(OperationSyncRequest(refund_id, started.gateway_reference, request.amount))
        return started, synced

    started, synced = refund("rfd_1", 4000)
    assert (started.status, synced.status) == (S.PROCESSING, S.SUCCEEDED)
    assert synced.gateway_reference == started.gateway_reference and synced.connector_state["financial_transaction_id"]
    _, too_much = refund("rfd_2", 7000)
    assert (too_much.status, too_much.failure_code) == (S.FAILED, F.CONFIGURATION_ERROR)
    unknown, _ = refund("rfd_3", 100, reference=str(uuid.uuid4()))
    assert unknown.status is S.FAILED and unknown.gateway_status == "HTTP 404 RESOURCE_NOT_FOUND"


@pytest.mark.parametrize("phone, started, synced, failure_code", [
    ("+256772123456", S.PROCESSING, S.SUCCEEDED, None),
    ("+256772123001", S.PROCESSING, S.FAILED, F.INSUFFICIENT_FUNDS),
    ("+256772123006", S.FAILED, S.UNKNOWN, None),  # 503, then 404: nothing was created; sync stays unknown
])
def test_payouts(base_url, phone, started, synced, failure_code):
    momo = connector(base_url)
    request = PayoutRequest(payout_id=f"pyt_{phone[-3:]}", amount=Money(5000, "UGX"), phone=parse_phone(phone))
    result = momo.payout(request)
    assert result.status is started
    if started is S.FAILED:
        assert result.failure_code is F.PROVIDER_UNAVAILABLE
    later = momo.payout_sync(OperationSyncRequest(request.payout_id, result.gateway_reference, request.amount))
    assert (later.status, later.failure_code) == (synced, failure_code)


@pytest.mark.parametrize("environment, phone, found, name", [
    ("mtnuganda", "0772123456", True, "Sim Customer 456"),
    ("sandbox", "+46733123450", False, ""),
    ("sandbox", "+46733123451", False, ""),
])
def test_account_holder_lookup(base_url, environment, phone, found, name):
    holder = connector(base_url, target_environment=environment).account_holder_lookup(phone)
    assert (holder.found, holder.name) == (found, name)


# -- a third-party client, by hand --------------------------------------------------------------------------------


def test_raw_http_client(base_url, receiver):
    key = {"Ocp-Apim-Subscription-Key": "sim_subscription_key"}
    with httpx.Client(base_url=base_url, timeout=10) as http:
        issued = http.post("/collection/token/", auth=("sim_key", "sim_secret"), headers=key)
        assert issued.status_code == 200, issued.text
        bearer = {**key, "Authorization": f"Bearer {issued.json()['access_token']}", "X-Target-Environment": "sandbox"}
        reference = str(uuid.uuid4())
        body = {"amount": "5", "currency": "EUR", "externalId": "123456",
                "payer": {"partyIdType": "MSISDN", "partyId": "46733123454"}, "payerMessage": "Pay",
                "payeeNote": "Pay"}
        created = http.post("/collection/v1_0/requesttopay", json=body,
                            headers={**bearer, "X-Reference-Id": reference, "X-Callback-Url": receiver.url})
        assert (created.status_code, created.content) == (202, b"")
        duplicate = http.post("/collection/v1_0/requesttopay", json=body,
                              headers={**bearer, "X-Reference-Id": reference})
        assert duplicate.status_code == 409 and duplicate.json()["code"] == "RESOURCE_ALREADY_EXIST"
        polled = http.get(f"/collection/v1_0/requesttopay/{reference}", headers=bearer).json()
        assert (polled["status"], polled["reason"]) == ("PENDING", "PAYER_DELAYED")
        refused = http.post("/collection/token/", auth=("sim_key", "nope"), headers=key)
        assert (refused.status_code, refused.json()) == (401, {"error": "login_failed"})
