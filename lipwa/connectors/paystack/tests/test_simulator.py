"""The Paystack simulator's HTTP contract: the secret key, initialize, verify, the Charge API with its steps and
scenarios, saved-card charges and refunds (PROVIDERS.md §6, DESIGN.md §6)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.paystack.simulator import scenarios, state

from .test_simulator_support import (
    SIM,
    URLCONF,
    assert_refusal,
    data,
    get,
    initialize_body,
    momo_body,
    post,
)

pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    clock.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def client() -> Client:
    return Client()


def paid_card(client, reference: str = "order-1", amount: int = 50_000, email: str = "ada@example.com") -> dict:
    """A transaction paid on the hosted page with the Visa test card; returns verify's data."""
    url = data(post(client, "/transaction/initialize", initialize_body(reference=reference, amount=amount,
                                                                          email=email)))["authorization_url"]
    response = client.post(url.split("testserver", 1)[1], {"card_number": "4084084084084081", "expiry": "12/39",
                                                            "cvv": "408"})
    assert response.status_code == 302, response.content
    return data(get(client, f"/transaction/verify/{reference}"))


# -- scenarios (pure) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone, scenario, status, gateway_response, webhooks", [
    ("254712345678", "default", "success", "Approved", 1),
    ("254712345001", "001", "failed", "Insufficient Funds", 0),
    ("254712345002", "002", "failed", "Transaction cancelled by customer", 0),
    ("254712345003", "003", "failed", "Transaction timed out", 0),
    ("254712345004", "004", "success", "Approved", 0),
    ("254712345005", "005", "success", "Approved", 3),
    ("254712345007", "007", "success", "Approved", 1),
    ("254712345008", "008", "success", "Approved", 1),
    ("254712345009", "009", "failed", "Incorrect PIN", 0),
])
def test_phone_scenarios(phone, scenario, status, gateway_response, webhooks):
    outcome = scenarios.mobile_money_outcome("mpesa", phone)
    assert (outcome.scenario, outcome.status, outcome.gateway_response, outcome.webhooks) == (
        scenario, status, gateway_response, webhooks)
    assert scenarios.mobile_money_outcome("mpesa", "254712345006").initiate_fails


def test_providers_md_test_numbers():
    assert scenarios.mobile_money_outcome("mtn", "0551234987").immediate  # 6.8: success without a prompt
    assert scenarios.mobile_money_outcome("atl", "0271234987").immediate
    assert scenarios.mobile_money_outcome("vod", "0201234987").needs_voucher
    assert scenarios.mobile_money_outcome("mpesa", "254710000000").status == "success"


# -- the secret key -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [{}, {"HTTP_AUTHORIZATION": "Bearer sk_live_0123"},
                                  {"HTTP_AUTHORIZATION": "Bearer sim_key"},
                                  {"HTTP_AUTHORIZATION": "Basic c2ltX3NlY3JldA=="}])
def test_anything_but_the_secret_key_is_an_invalid_key(client, auth):
    assert_refusal(post(client, "/transaction/initialize", initialize_body(), auth=auth), 401, "Invalid key")
    assert_refusal(get(client, "/transaction/verify/order-1", auth=auth), 401, "Invalid key")


def test_unknown_paths_and_methods(client):
    assert_refusal(get(client, "/plan"), 404, "Route not found")
    assert get(client, "/transaction/initialize").status_code == 405


# -- initialize and verify ----------------------------------------------------------------------------------------


def test_initialize_points_at_the_hosted_page(client):
    body = data(post(client, "/transaction/initialize", initialize_body()))
    assert body["reference"] == "order-1"
    assert body["authorization_url"] == f"http://testserver{SIM}/checkout/{body['access_code']}"
    verified = data(get(client, "/transaction/verify/order-1"))
    assert (verified["status"], verified["amount"], verified["currency"]) == ("abandoned", 50_000, "NGN")
    assert verified["authorization"] == {} and verified["paid_at"] is None


def test_initialize_tolerates_trailing_slashes_string_amounts_and_string_metadata(client):
    body = initialize_body(amount="2500", metadata=json.dumps({"cart": 7}))
    created = data(post(client, "/transaction/initialize/", body))
    verified = data(get(client, f"/transaction/verify/{created['reference']}/"))
    assert verified["amount"] == 2500 and verified["metadata"] == '{"cart": 7}'


def test_initialize_without_reference_or_currency_gets_defaults(client):
    created = data(post(client, "/transaction/initialize", initialize_body(reference=..., currency=...)))
    assert len(created["reference"]) == 10
    assert data(get(client, f"/transaction/verify/{created['reference']}"))["currency"] == "NGN"


@pytest.mark.parametrize("overrides, message", [
    ({"email": "nope"}, "Invalid Email Address Passed"),
    ({"email": ...}, "Invalid Email Address Passed"),
    ({"amount": 0}, "Invalid Amount Sent"),
    ({"amount": 100.5}, "Invalid Amount Sent"),
    ({"amount": "1.50"}, "Invalid Amount Sent"),
    ({"currency": "XAF"}, "Currency not supported by merchant"),
    ({"reference": "has space"}, "Invalid transaction reference: use only alphanumerics, '-', '.' and '='"),
])
def test_initialize_refusals(client, overrides, message):
    assert_refusal(post(client, "/transaction/initialize", initialize_body(**overrides)), 400, message)
    assert state.transactions_snapshot() == []


def test_references_are_permanent(client):
    data(post(client, "/transaction/initialize", initialize_body()))
    assert_refusal(post(client, "/transaction/initialize", initialize_body()), 400, "Duplicate Transaction Reference")
    assert_refusal(post(client, "/charge", momo_body(reference="order-1")), 400, "Duplicate Transaction Reference")


def test_verify_of_an_unknown_reference(client):
    assert_refusal(get(client, "/transaction/verify/nope"), 404, "Transaction reference not found")


def test_a_bad_body_is_a_400_never_a_500(client):
    assert_refusal(post(client, "/transaction/initialize", b"{not json"), 400, "Invalid JSON body")
    assert_refusal(post(client, "/charge", b"[1]"), 400, "Invalid JSON body")


# -- the Charge API -----------------------------------------------------------------------------------------------


def test_mpesa_charge_is_pay_offline_until_the_delay_passes(client, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 2
    charged = data(post(client, "/charge", momo_body()))
    assert (charged["status"], charged["reference"]) == ("pay_offline", "momo-1")
    assert charged["display_text"] == "Please complete authorization process on your mobile phone"
    assert data(get(client, "/transaction/verify/momo-1"))["status"] == "ongoing"
    assert data(get(client, "/charge/momo-1"))["status"] == "pay_offline"
    clock.advance(2)
    verified = data(get(client, "/transaction/verify/momo-1"))
    assert (verified["status"], verified["gateway_response"], verified["channel"]) == ("success", "Approved",
                                                                                       "mobile_money")
    assert verified["authorization"]["reusable"] is False and verified["paid_at"]


@pytest.mark.parametrize("suffix, gateway_response", [("001", "Insufficient Funds"), ("009", "Incorrect PIN"),
                                                      ("002", "Transaction cancelled by customer"),
                                                      ("003", "Transaction timed out")])
def test_declines_are_failed_transactions(client, suffix, gateway_response):
    data(post(client, "/charge", momo_body(phone=f"+254712345{suffix}")))
    verified = data(get(client, "/transaction/verify/momo-1"))
    assert (verified["status"], verified["gateway_response"]) == ("failed", gateway_response)


def test_scenario_006_answers_503_and_stores_nothing(client):
    response = post(client, "/charge", momo_body(phone="+254712345006"))
    assert_refusal(response, 503, "Service temporarily unavailable, please try again")
    assert state.transactions_snapshot() == []


def test_ghana_mtn_test_number_succeeds_at_once(client):
    charged = data(post(client, "/charge", momo_body("0551234987", "mtn", "GHS", amount=100)))
    assert (charged["status"], charged["amount"], charged["currency"]) == ("success", 100, "GHS")


def test_telecel_asks_for_a_voucher_first(client):
    charged = data(post(client, "/charge", momo_body("233201234987", "vod", "GHS")))
    assert charged["status"] == "send_otp" and "voucher" in charged["display_text"]
    assert data(get(client, "/transaction/verify/momo-1"))["status"] == "ongoing"
    submitted = data(post(client, "/charge/submit_otp", {"otp": "482913", "reference": "momo-1"}))
    assert submitted["status"] in ("pay_offline", "success")
    assert data(get(client, "/transaction/verify/momo-1"))["status"] == "success"
    assert_refusal(post(client, "/charge/submit_otp", {"otp": "482913", "reference": "momo-1"}), 400,
                   "Transaction is not awaiting an OTP")


def test_a_wrong_voucher_fails_the_charge(client):
    data(post(client, "/charge", momo_body("0201234987", "vod", "GHS")))
    failed = data(post(client, "/charge/submit_otp", {"otp": scenarios.WRONG_VOUCHER, "reference": "momo-1"}))
    assert (failed["status"], failed["gateway_response"]) == ("failed", "Incorrect OTP")


@pytest.mark.parametrize("body, message", [
    (momo_body(provider="orange"), "Invalid mobile money provider"),
    (momo_body(currency="GHS"), "Currency GHS is not supported for mpesa"),
    (momo_body("0551234987", "mtn", "KES"), "Currency KES is not supported for mtn"),
    (momo_body("+256772123456"), "Invalid phone number"),
    (momo_body("0551234987", "mpesa"), "Invalid phone number"),
    (momo_body("+254712345678", "mtn", "GHS"), "Invalid phone number"),
    ({"email": "a@b.co", "amount": 100, "card": {"number": "4084084084084081"}},
     "The simulator models mobile_money charges only; pay cards on the hosted checkout"),
])
def test_charge_refusals(client, body, message):
    assert_refusal(post(client, "/charge", body), 400, message)


def test_mpesa_till(client):
    body = momo_body()
    body["mobile_money"] = {"account": "1234567", "provider": "mptill"}
    assert data(post(client, "/charge", body))["status"] in ("pay_offline", "success")


# -- saved-card charges -------------------------------------------------------------------------------------------


def test_a_paid_card_can_be_charged_again(client):
    code = paid_card(client)["authorization"]["authorization_code"]
    body = {"email": "ada@example.com", "amount": 30_000, "authorization_code": code, "reference": "renewal-1"}
    charged = data(post(client, "/transaction/charge_authorization", body))
    assert (charged["status"], charged["amount"], charged["currency"]) == ("success", 30_000, "NGN")
    assert charged["authorization"]["authorization_code"] == code
    declined = data(post(client, "/transaction/charge_authorization",
                         body | {"amount": 30_001, "reference": "renewal-2"}))
    assert (declined["status"], declined["gateway_response"]) == ("failed", "Insufficient Funds")
    assert_refusal(post(client, "/transaction/charge_authorization", body | {"amount": 30_006, "reference": "r-3"}),
                   503, "Service temporarily unavailable, please try again")


def test_charge_authorization_refusals(client):
    code = paid_card(client)["authorization"]["authorization_code"]
    body = {"email": "ada@example.com", "amount": 100, "authorization_code": code}
    assert_refusal(post(client, "/transaction/charge_authorization", body | {"authorization_code": "AUTH_nope"}),
                   400, "Invalid authorization code")
    assert_refusal(post(client, "/transaction/charge_authorization", body | {"email": "eve@example.com"}), 400,
                   "Authorization code does not belong to this customer")
    wallet = data(post(client, "/charge", momo_body()))
    wallet_code = data(get(client, f"/transaction/verify/{wallet['reference']}"))["authorization"]["authorization_code"]
    assert_refusal(post(client, "/transaction/charge_authorization", body | {"authorization_code": wallet_code}),
                   400, "Invalid authorization code")


# -- refunds ------------------------------------------------------------------------------------------------------


def test_partial_refunds_then_reversed(client, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 5
    paid_card(client)
    first = data(post(client, "/refund", {"transaction": "order-1", "amount": 20_000, "merchant_note": "lipwa r1"}))
    assert (first["status"], first["amount"], first["transaction"]["reference"]) == ("pending", 20_000, "order-1")
    assert_refusal(post(client, "/refund", {"transaction": "order-1", "amount": 30_001}), 400,
                   "Refund amount cannot be more than the unrefunded balance of 30000")
    listed = data(get(client, "/refund", reference="order-1"))
    assert [(r["id"], r["merchant_note"]) for r in listed] == [(first["id"], "lipwa r1")]
    clock.advance(5)
    assert data(get(client, f"/refund/{first['id']}"))["status"] == "processed"
    assert data(get(client, "/transaction/verify/order-1"))["status"] == "success"
    rest = data(post(client, "/refund", {"transaction": "order-1"}))  # no amount: whatever is left
    assert rest["amount"] == 30_000
    clock.advance(5)
    assert data(get(client, "/transaction/verify/order-1"))["status"] == "reversed"
    assert_refusal(post(client, "/refund", {"transaction": "order-1"}), 400, "Transaction has been fully reversed")


def test_refund_by_transaction_id_and_failures(client):
    transaction_id = paid_card(client)["id"]
    failed = data(post(client, "/refund", {"transaction": transaction_id, "amount": 1009}))
    assert data(get(client, f"/refund/{failed['id']}"))["status"] == "failed"
    assert_refusal(post(client, "/refund", {"transaction": "order-1", "amount": 1006}), 503,
                   "Service temporarily unavailable, please try again")
    assert_refusal(post(client, "/refund", {"transaction": "order-1", "currency": "GHS"}), 400,
                   "Currency does not match the transaction's currency")


def test_refund_refusals(client):
    data(post(client, "/transaction/initialize", initialize_body()))
    assert_refusal(post(client, "/refund", {"transaction": "order-1"}), 400,
                   "Cannot refund a transaction that was not successful")
    assert_refusal(post(client, "/refund", {"transaction": "nope"}), 400, "Transaction not found")
    assert_refusal(post(client, "/refund", {}), 400, "Transaction reference or id is required")
    assert_refusal(get(client, "/refund/999"), 404, "Refund not found")
    assert data(get(client, "/refund", reference="nope")) == []
