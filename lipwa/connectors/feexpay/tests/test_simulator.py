"""The FeexPay simulator's HTTP contract: auth, validation (PROVIDERS.md 5.8), the status query, scenarios."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.feexpay.simulator import scenarios, state

from .test_simulator_support import API, BEARER, PHONE, REFERENCE, URLCONF, push, push_body, status

pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def client() -> Client:
    return Client()


def accepted(client, phone: str = PHONE, network: str = "mtn", **overrides) -> dict:
    response = push(client, push_body(phone=phone, **overrides), network)
    assert response.status_code == 200, response.content
    return response.json()


def final_status(client, reference: str) -> dict:
    response = status(client, reference)
    assert response.status_code == 200, response.content
    return response.json()


# -- pure functions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone, scenario, final, reason", [
    ("2290197100149", "default", "SUCCESSFUL", ""),
    ("2290197100000", "default", "SUCCESSFUL", ""),  # DESIGN.md §6 wins over 5.8's "last digit 0 fails"
    ("2290197100001", "001", "FAILED", "LOW_BALANCE"),
    ("2290197100002", "002", "FAILED", "CANCELLED_BY_CUSTOMER"),
    ("2290197100003", "003", "FAILED", "TIMEOUT"),
    ("2290197100009", "009", "FAILED", "INVALID_PIN"),
    ("2290197100010", "010", "FAILED", "LOW_BALANCE"),
    ("2290197100011", "011", "FAILED", "PAYER_NOT_FOUND"),
    ("2290197100012", "012", "PENDING", ""),
    ("2290197101001", "001", "FAILED", "LOW_BALANCE"),  # only the last three digits count
])
def test_scenario_table(phone, scenario, final, reason):
    outcome = scenarios.outcome_for_phone(phone)
    assert (outcome.scenario, outcome.status, outcome.reason) == (scenario, final, reason)


@pytest.mark.parametrize("number, valid", [("4242424242424242", True), ("4242 4242 4242 4242", True),
                                           ("4242424242424241", False), ("42", False), ("abcd", False)])
def test_card_numbers(number, valid):
    assert (scenarios.outcome_for_card(number) is not None) is valid


# -- auth and routing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "sim_key"},
                                     {"HTTP_AUTHORIZATION": "Basic sim_key"}])
def test_the_api_key_is_required_on_every_call(client, headers):
    for response in (push(client, push_body(), headers=headers), status(client, "FXP-x", headers=headers)):
        assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


def test_wrong_methods_are_refused(client):
    assert client.get(f"{API}/transactions/public/requesttopay/mtn", **BEARER).status_code == 405
    assert client.post(f"{API}/transactions/public/single/status/FXP-1", **BEARER).status_code == 405


@pytest.mark.parametrize("path", ["/transactions/public/requesttopay/celtiis",
                                  "/transactions/public/requesttopay/mtn_gh", "/v1/transactions",
                                  "/transactions/public/requesttopay"])
def test_unknown_networks_and_paths_are_not_found(client, path):
    response = client.post(f"{API}{path}", data="{}", content_type="application/json", **BEARER)
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})


def test_another_shop_is_refused(client):
    response = push(client, push_body(shop="someone_else"))
    assert response.status_code == 403 and "shop" in response.json()["message"]


# -- validation (5.2, 5.8) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("network, overrides, field", [
    ("mtn", {"phoneNumber": "0197100149"}, "phoneNumber"),  # V1's form, without the country code
    ("mtn", {"phoneNumber": "22997100149"}, "phoneNumber"),  # Benin's old 8-digit plan (5.7)
    ("mtn", {"phoneNumber": "+2290197100149"}, "phoneNumber"),
    ("mtn", {"phoneNumber": 2290197100149}, "phoneNumber"),
    ("mtn_ci", {"phoneNumber": PHONE}, "phoneNumber"),  # a Benin number on an Ivorian network
    ("mtn", {"amount": "5000"}, "amount"),
    ("mtn", {"amount": 5000.5}, "amount"),
    ("mtn", {"amount": 99}, "amount"),
    ("mtn", {"amount": 2_000_001}, "amount"),
    ("mtn", {"amount": ...}, "amount"),
    ("mtn", {"description": "Commande-42"}, "description"),  # 5.2: even "-" is refused
    ("mtn", {"callback_info": {"order": 42}}, "callback_info"),  # V1's object form
    ("mtn", {"webhook_url": "not a url"}, "webhook_url"),
])
def test_invalid_fields_are_422(client, network, overrides, field):
    response = push(client, push_body(**overrides), network)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert state.transactions_snapshot() == []


@pytest.mark.parametrize("body", [b"not json", b"[1]", b""])
def test_bodies_that_are_not_objects_are_422(client, body):
    assert push(client, body).status_code == 422


@pytest.mark.parametrize("network, phone", [
    ("celtiis_bj", "2290140100149"), ("moov", "2290145100149"), ("coris", "2290197100149"),
    ("orange_ci", "2250701100149"), ("wave_sn", "221771100149"), ("togocom_tg", "22890100149"),
    ("moov_bf", "22670100149"), ("mtn_cg", "242061100149"),
    # The catalogue's assumed networks are served too.
    ("mtn_cm", "237671100149"), ("airtel_ga", "24106100149"), ("orange_gw", "245955100149"),
])
def test_every_network_takes_its_countrys_numbers(client, network, phone):
    assert accepted(client, phone=phone, network=network)["status"] == "PENDING"


# -- acceptance and status (5.2, 5.3) -----------------------------------------------------------------------


def test_accepted_is_pending_with_a_reference(client):
    answer = accepted(client)
    assert set(answer) == {"reference", "status", "amount", "message"}
    assert re.fullmatch(REFERENCE, answer["reference"])
    assert (answer["status"], answer["amount"]) == ("PENDING", 5000)
    assert type(answer["amount"]) is int


def test_status_is_pending_until_the_delay_has_passed(client, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 60
    clock.freeze()
    reference = accepted(client, webhook_url=...)["reference"]
    assert final_status(client, reference) == {"reference": reference, "amount": 5000, "status": "PENDING"}
    clock.advance(60)
    assert final_status(client, reference) == {"reference": reference, "amount": 5000, "status": "SUCCESSFUL",
                                               "responsemsg": "Paiement effectué avec succès"}


@pytest.mark.parametrize("suffix, reason", [("001", "LOW_BALANCE"), ("002", "CANCELLED_BY_CUSTOMER"),
                                            ("003", "TIMEOUT"), ("009", "INVALID_PIN"), ("011", "PAYER_NOT_FOUND")])
def test_failures_carry_their_reason(client, suffix, reason):
    reference = accepted(client, phone=PHONE[:-3] + suffix, webhook_url=...)["reference"]
    answer = final_status(client, reference)
    assert (answer["status"], answer["reason"]) == ("FAILED", reason)
    assert answer["responsemsg"]


def test_unknown_reference_is_404(client):
    response = status(client, "FXP-00000000-0000-0000-0000-000000000000")
    assert (response.status_code, response.json()) == (404, {"message": "Transaction not found"})


def test_scenario_006_is_a_plain_503_and_stores_nothing(client):
    response = push(client, push_body(phone=PHONE[:-3] + "006"))
    assert (response.status_code, response.content) == (503, b"Service Unavailable")
    assert response["Content-Type"].startswith("text/plain")
    assert state.transactions_snapshot() == []


def test_scenario_010_is_final_in_the_response(client):
    answer = accepted(client, phone=PHONE[:-3] + "010", webhook_url=...)
    assert (answer["status"], answer["reason"]) == ("FAILED", "LOW_BALANCE")
    assert final_status(client, answer["reference"])["status"] == "FAILED"


def test_scenario_012_stays_pending_forever(client):
    reference = accepted(client, phone=PHONE[:-3] + "012")["reference"]
    clock.advance(30 * 24 * 3600)
    assert final_status(client, reference)["status"] == "PENDING"
    assert state.timers_pending() == 0


def test_the_request_is_stored_as_sent(client):
    accepted(client, webhook_url=...)
    [transaction] = state.transactions_snapshot()
    assert (transaction.network, transaction.phone_number, transaction.amount, transaction.callback_info,
            transaction.email, transaction.webhook_url) == ("mtn", PHONE, 5000, "order-42", "a@b.co", "")
