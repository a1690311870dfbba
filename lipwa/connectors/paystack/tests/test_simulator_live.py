"""The connector's optional flows against the simulator over loopback (pytest-django's live server): card
checkout then verify, saved-card charges, partial refunds, the Telecel voucher step, a raw third-party
client, and one refund through lipwa's public API."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.paystack.connector import PaystackConnector, transaction_reference
from lipwa.connectors.paystack.simulator import state
from lipwa.connectors.testing.contract import ConnectorContract, wait_for
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    OperationSyncRequest,
    RefundRequest,
    ResultStatus,
    SyncRequest,
)

pytestmark = pytest.mark.django_db(transaction=True)
S, F = ResultStatus, FailureCode
VISA = {"card_number": "4084084084084081", "expiry": "12/39", "cvv": "408"}


@pytest.fixture
def paystack(lipwa_server) -> PaystackConnector:
    credentials = PaystackConnector.simulator_credentials(f"{lipwa_server.url}/simulators/paystack")
    return PaystackConnector(AccountContext(account_id="ca_live_test", connector="paystack", mode="test",
                                            credentials=credentials, callback_url="", timeout_seconds=5))


def card_request(attempt_id: str, amount_minor: int = 50_000) -> ChargeRequest:
    return ChargeRequest(attempt_id=attempt_id, payment_id="pay_1", amount=Money(amount_minor, "NGN"),
                         customer_email="ada@example.com")


def pay_on_the_page(url: str, card: dict = VISA) -> httpx.Response:
    return httpx.post(url, data=card, follow_redirects=False, timeout=5)


def paid_card(paystack: PaystackConnector, attempt_id: str = "att_card1"):
    started = paystack.charge(card_request(attempt_id))
    assert started.status is S.REQUIRES_ACTION
    assert pay_on_the_page(started.next_action["url"]).status_code == 200  # no return_url: the result page
    synced = paystack.charge_sync(SyncRequest(attempt_id=attempt_id, gateway_reference=started.gateway_reference,
                                              amount=Money(50_000, "NGN"), connector_state=started.connector_state))
    assert (synced.status, synced.amount) == (S.SUCCEEDED, Money(50_000, "NGN"))
    return synced


def test_card_checkout_then_saved_card_charges(paystack):
    paid = paid_card(paystack)
    code, email = paid.connector_state["authorization_code"], paid.connector_state["customer_email"]
    renewal = paystack.charge_saved_authorization(card_request("att_renew1", 30_000), code, email)
    assert (renewal.status, renewal.amount, renewal.gateway_reference) == (
        S.SUCCEEDED, Money(30_000, "NGN"), transaction_reference("att_renew1"))
    declined = paystack.charge_saved_authorization(card_request("att_renew2", 30_001), code, email)
    assert (declined.status, declined.failure_code) == (S.FAILED, F.INSUFFICIENT_FUNDS)
    # Charging the same attempt again reuses its reference, which Paystack refuses as a duplicate: the first
    # charge landed, so the answer is "unknown, verify", never a second charge.
    again = paystack.charge_saved_authorization(card_request("att_renew1", 30_000), code, email)
    assert (again.status, again.gateway_reference) == (S.UNKNOWN, transaction_reference("att_renew1"))


def test_partial_refunds_then_the_rest(paystack):
    paid = paid_card(paystack)

    def refund(refund_id: str, amount_minor: int):
        return paystack.refund(RefundRequest(refund_id=refund_id, payment_id="pay_1",
                                             charge_reference=paid.gateway_reference,
                                             amount=Money(amount_minor, "NGN"), reason="Returned"))

    first = refund("rfd_1", 20_000)
    assert (first.status, first.gateway_status) == (S.PENDING, "pending")
    synced = paystack.refund_sync(OperationSyncRequest(operation_id="rfd_1", gateway_reference=first.gateway_reference,
                                                       amount=Money(20_000, "NGN"),
                                                       connector_state=first.connector_state))
    assert synced.status is S.SUCCEEDED
    # Found by its note when the create answer is lost (no gateway reference).
    lost = {"transaction_reference": paid.gateway_reference}
    found = paystack.refund_sync(OperationSyncRequest(operation_id="rfd_1", gateway_reference=None,
                                                      amount=Money(20_000, "NGN"), connector_state=lost))
    assert (found.status, found.gateway_reference) == (S.SUCCEEDED, first.gateway_reference)
    too_much = refund("rfd_2", 30_001)
    assert (too_much.status, too_much.failure_code) == (S.FAILED, F.PROVIDER_DECLINED)
    assert refund("rfd_3", 30_000).status is S.PENDING
    reversed_ = paystack.charge_sync(SyncRequest(attempt_id="att_card1", gateway_reference=paid.gateway_reference,
                                                 amount=Money(50_000, "NGN")))
    assert (reversed_.status, reversed_.gateway_status) == (S.SUCCEEDED, "reversed")


def test_telecel_voucher_through_submit_otp(paystack):
    request = ChargeRequest(attempt_id="att_vod1", payment_id="pay_2", amount=Money(1_000, "GHS"),
                            phone=parse_phone("+233201234987"), customer_email="kofi@example.com")
    started = paystack.charge(request)
    assert (started.status, started.next_action["type"]) == (S.REQUIRES_ACTION, "send_otp")
    submitted = paystack.submit_otp(started.gateway_reference, "482913")
    assert submitted.status in (S.REQUIRES_ACTION, S.SUCCEEDED)
    synced = paystack.charge_sync(SyncRequest(attempt_id="att_vod1", gateway_reference=started.gateway_reference,
                                              amount=Money(1_000, "GHS"), connector_state=started.connector_state))
    assert (synced.status, synced.amount) == (S.SUCCEEDED, Money(1_000, "GHS"))


def test_a_raw_third_party_client_with_old_style_paths(lipwa_server):
    base = f"{lipwa_server.url}/simulators/paystack"
    headers = {"Authorization": "Bearer sim_secret"}
    with httpx.Client(base_url=base, headers=headers, timeout=5) as http:
        created = http.post("/transaction/initialize/", json={"email": "a@b.co", "amount": "50000"}).json()
        assert created["status"] is True and created["message"] == "Authorization URL created"
        reference = created["data"]["reference"]
        assert http.get(f"/transaction/verify/{reference}/").json()["data"]["status"] == "abandoned"
        refused = http.get(f"/transaction/verify/{reference}", headers={"Authorization": "Bearer sk_live_x"})
        assert (refused.status_code, refused.json()) == (401, {"status": False, "message": "Invalid key"})


def test_a_refund_through_the_public_api(lipwa_server, simulator_account, test_key, run_tasks):
    account = simulator_account("paystack")
    api = httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=10)
    with api:
        payment = api.post("/v1/payments", json={"amount": 50_000, "currency": "NGN", "method": "card",
                                                 "provider": "paystack", "customer": {"email": "ada@example.com"}})
        assert payment.status_code == 201, payment.text
        payment = payment.json()
        pay_on_the_page(payment["next_action"]["url"])
        core = ConnectorContract()
        wait_for(lambda: core.callbacks_for(account), "the charge.success webhook")
        assert core.settle(payment["id"], run_tasks).status == "succeeded"
        refund = api.post("/v1/refunds", json={"payment": payment["id"], "amount": 15_000, "reason": "Returned"})
        assert refund.status_code == 201, refund.text
        assert (refund.json()["status"], refund.json()["method"]) == ("processing", "gateway")
        gateway_refund = state.refund_get(refund.json()["gateway_reference"])
        assert (gateway_refund.amount, gateway_refund.transaction_reference) == (15_000, payment["gateway_reference"])
        assert urlsplit(payment["next_action"]["url"]).path.startswith("/simulators/paystack/checkout/")
    # Paystack then sends refund.processed, signed: lipwa applies it to the refund with that Paystack id.
    wait_for(lambda: len(core.callbacks_for(account)) == 2 and state.timers_pending() == 0, "refund.processed")
    run_tasks()
    refund_webhook = core.callbacks_for(account)[1]
    assert (refund_webhook.status, refund_webhook.attempt_id) == ("processed", refund.json()["id"])
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}) as api:
        assert api.get(f"/v1/refunds/{refund.json()['id']}").json()["status"] == "succeeded"
