"""The connector's own client against the simulator over loopback (pytest-django's live server).

Client and simulator are written independently from PROVIDERS.md; here they must agree on the wire: the request
to pay, the status query, the signed webhook and the hosted card page.
"""

from __future__ import annotations

import httpx
import pytest

from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.feexpay.connector import FeexpayConnector
from lipwa.connectors.feexpay.simulator import state
from lipwa.connectors.types import AccountContext, ChargeRequest, InboundRequest, ResultStatus, SyncRequest
from lipwa.connectors.types import WebhookVerification as V

from .test_simulator_support import URLCONF, Receiver

pytestmark = pytest.mark.urls(URLCONF)
S = ResultStatus


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def connector(live_server, receiver, timeout_seconds: float = 5.0) -> FeexpayConnector:
    credentials = FeexpayConnector.simulator_credentials(f"{live_server.url}/simulators/feexpay")
    return FeexpayConnector(AccountContext(account_id="ca_live", connector="feexpay", mode="test",
                                           credentials=credentials, callback_url=receiver.url,
                                           timeout_seconds=timeout_seconds), sleep=_no_sleep)


def _no_sleep(seconds: float) -> None:
    raise AssertionError("the simulator never needs a retry here")


def charge_request(phone: str | None, amount_minor: int = 1000, currency: str = "XOF", **fields) -> ChargeRequest:
    return ChargeRequest(attempt_id="att_live", payment_id="pay_01HZX5V9K3M4N5P6Q7R8S9T0VW",
                         amount=Money(amount_minor, currency), phone=parse_phone(phone) if phone else None,
                         description="Commande 42", **fields)


def delivered(receiver, index: int = 0) -> InboundRequest:
    return InboundRequest(headers=receiver.headers[index], body=receiver.raw[index])


@pytest.mark.parametrize("phone, network", [("+2290197100149", None), ("+2290140100149", "celtiis"),
                                            ("+2250701100149", "orange"), ("+22890100149", None)])
def test_mobile_money_round_trip(live_server, receiver, phone, network):
    feexpay = connector(live_server, receiver)
    result = feexpay.charge(charge_request(phone, network=network))
    assert result.status is S.PROCESSING and result.gateway_reference.startswith("FXP-")
    assert receiver.wait_for(1)
    inbound = delivered(receiver)
    assert feexpay.webhook_verify(inbound) is V.VERIFIED
    parsed = feexpay.webhook_parse(inbound)
    assert (parsed.gateway_reference, parsed.result.status) == (result.gateway_reference, S.SUCCEEDED)
    assert (parsed.result.amount, parsed.result.payer) == (Money(1000, "XOF"), phone.lstrip("+"))
    synced = feexpay.charge_sync(SyncRequest(attempt_id="att_live", gateway_reference=result.gateway_reference,
                                             amount=Money(1000, "XOF")))
    assert (synced.status, synced.amount) == (S.SUCCEEDED, Money(1000, "XOF"))


@pytest.mark.parametrize("suffix, status, failure_code", [
    ("001", S.FAILED, "insufficient_funds"), ("002", S.CANCELLED, "customer_cancelled"),
    ("003", S.EXPIRED, "customer_timeout"), ("009", S.FAILED, "wrong_pin"), ("011", S.FAILED, "subscriber_not_found"),
])
def test_declines_agree_between_webhook_and_status(live_server, receiver, suffix, status, failure_code):
    feexpay = connector(live_server, receiver)
    result = feexpay.charge(charge_request(f"+2290197100{suffix}"))
    assert receiver.wait_for(1)
    from_webhook = feexpay.webhook_parse(delivered(receiver)).result
    from_query = feexpay.charge_sync(SyncRequest(attempt_id="att_live", gateway_reference=result.gateway_reference,
                                                 amount=Money(1000, "XOF")))
    for answer in (from_webhook, from_query):
        assert (answer.status, answer.failure_code) == (status, failure_code)


def test_an_answer_final_in_the_response_is_applied_at_once(live_server, receiver):
    result = connector(live_server, receiver).charge(charge_request("+2290197100010"))
    assert (result.status, result.failure_code) == (S.FAILED, "insufficient_funds")
    assert result.gateway_reference.startswith("FXP-")


def test_scenario_006_fails_without_a_reference(live_server, receiver):
    result = connector(live_server, receiver).charge(charge_request("+2290197100006"))
    assert (result.status, result.failure_code, result.gateway_reference) == (S.FAILED, "provider_unavailable", None)


def test_scenario_007_is_unknown_then_the_webhook_names_the_payment(live_server, receiver, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    feexpay = connector(live_server, receiver, timeout_seconds=0.3)
    result = feexpay.charge(charge_request("+2290197100007"))
    assert (result.status, result.gateway_reference) == (S.UNKNOWN, None)
    assert receiver.wait_for(1)
    parsed = feexpay.webhook_parse(delivered(receiver))
    # What the core adopts the webhook by: the amount and the payer of the attempt that lost its answer.
    assert (parsed.result.status, parsed.result.amount, parsed.result.payer) == (
        S.SUCCEEDED, Money(1000, "XOF"), "2290197100007")


def test_a_webhook_signed_for_another_secret_is_rejected(live_server, receiver):
    connector(live_server, receiver).charge(charge_request("+2290197100149"))
    assert receiver.wait_for(1)
    other = FeexpayConnector(AccountContext(account_id="ca_other", connector="feexpay", mode="test",
                                            credentials={"webhook_secret": "not_sim_secret"}, callback_url=""))
    assert other.webhook_verify(delivered(receiver)) is V.REJECTED


def test_card_round_trip_through_the_hosted_page(live_server, receiver):
    feexpay = connector(live_server, receiver)
    result = feexpay.charge(charge_request(None, 2500, "EUR", return_url=receiver.url + "/return"))
    assert result.status is S.REQUIRES_ACTION and result.next_action["type"] == "redirect"
    url = result.next_action["url"]
    assert url.startswith(f"{live_server.url}/simulators/feexpay/checkout/")
    pending = feexpay.charge_sync(SyncRequest(attempt_id="att_live", gateway_reference=result.gateway_reference,
                                              amount=Money(2500, "EUR"), connector_state=result.connector_state))
    assert (pending.status, pending.next_action) == (S.REQUIRES_ACTION, result.next_action)
    with httpx.Client(timeout=10) as browser:
        assert browser.get(url).status_code == 200
        paid = browser.post(url, data={"card_number": "4242424242424242", "action": "pay"})
    assert paid.status_code == 302 and paid.headers["location"].startswith(receiver.url + "/return?")
    assert receiver.wait_for(1)
    inbound = delivered(receiver)
    assert feexpay.webhook_verify(inbound) is V.VERIFIED
    parsed = feexpay.webhook_parse(inbound)
    assert (parsed.gateway_reference, parsed.result.status) == (result.gateway_reference, S.SUCCEEDED)
    state_after = {**result.connector_state, **parsed.result.connector_state}  # as the core merges it
    synced = feexpay.charge_sync(SyncRequest(attempt_id="att_live", gateway_reference=result.gateway_reference,
                                             amount=Money(2500, "EUR"), connector_state=state_after))
    assert (synced.status, synced.gateway_reference, synced.amount) == (
        S.SUCCEEDED, result.gateway_reference, Money(2500, "EUR"))


def test_a_third_party_client_sees_feexpays_errors(live_server):
    base = f"{live_server.url}/simulators/feexpay/api"
    with httpx.Client(base_url=base, timeout=10) as http:
        refused = http.post("/transactions/public/requesttopay/mtn", json={})
        assert (refused.status_code, refused.json()) == (401, {"message": "Unauthenticated."})
        unknown = http.post("/transactions/public/requesttopay/celtiis", json={},
                            headers={"Authorization": "Bearer sim_key"})
        assert (unknown.status_code, unknown.json()) == (404, {"message": "Not found"})
