"""The Paynow simulator's HTTP contract: the hash, refusals, web and express checkout, polling, scenarios."""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from urllib.parse import quote_plus, urlencode

import pytest
from django.test import Client

from lipwa.common import clock
from lipwa.connectors.paynow.simulator import scenarios, state, wire

from .test_simulator_support import (
    EMAIL,
    EXPRESS,
    FORM,
    SIM,
    URLCONF,
    WEB,
    answer,
    hash_is_right,
    paynow_hash,
    post_form,
    request_pairs,
    with_hash,
)

pytestmark = pytest.mark.urls(URLCONF)

DOCS_KEY = "3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977"


@pytest.fixture(autouse=True)
def _clean(settings):
    # Status updates are not these tests' subject (test_simulator_callbacks): a long real-time delay keeps them
    # from firing before state.reset() cancels them. Finality is by the clock, which the tests move.
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30
    state.reset()
    clock.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def client() -> Client:
    return Client()


def error_of(response) -> str:
    pairs = answer(response)
    assert [key for key, _ in pairs] == ["status", "error"], "Paynow's refusals carry no hash"
    assert dict(pairs)["status"] == "Error"
    return dict(pairs)["error"]


def poll(client, poll_url: str) -> dict[str, str]:
    pairs = answer(client.post(poll_url.split("testserver", 1)[1], data=b"", content_type=FORM))
    assert [key for key, _ in pairs] == ["reference", "paynowreference", "amount", "status", "pollurl", "hash"]
    assert hash_is_right(pairs)
    return dict(pairs)


# -- pure parts -----------------------------------------------------------------------------------------


def test_the_simulators_hash_matches_paynows_worked_examples():
    outbound = ["1201", "TEST REF", "99.99", "A test ticket transaction", "http://www.google.com/search?q=returnurl",
                "http://www.google.com/search?q=resulturl", "Message"]
    assert wire.paynow_hash(outbound, DOCS_KEY) == (
        "2A033FC38798D913D42ECB786B9B19645ADEDBDE788862032F1BD82CF3B92DEF"
        "84F316385D5B40DBB35F1A4FD7D5BFE73835174136463CDD48C9366B0749C689")
    inbound = ["Ok", "https://staging.paynow.co.zw/Payment/ConfirmPayment/9510",
               "https://staging.paynow.co.zw/Interface/CheckPayment/?guid=c7ed41da-0159-46da-b428-69549f770413", "9510"]
    assert wire.paynow_hash(inbound, DOCS_KEY).startswith("750DD0B0DF374678")


def test_bodies_are_encoded_like_paynows():
    pairs = [("status", "Ok"), ("browserurl", "https://staging.paynow.co.zw/Payment/ConfirmPayment/9510"),
             ("paynowreference", "1,082"), ("instructions", "Dial *151# now")]
    assert wire.encode(pairs) == ("status=Ok&browserurl=https%3a%2f%2fstaging.paynow.co.zw%2fPayment%2fConfirmPayment"
                                  "%2f9510&paynowreference=1%2c082&instructions=Dial+*151%23+now")


@pytest.mark.parametrize("phone, scenario, final_status, delay, callbacks", [
    ("0771234000", "default", "Paid", None, 1),
    ("0771234002", "002", "Cancelled", None, 1),
    ("0771234003", "003", "Cancelled", None, 1),
    ("0771234004", "004", "Paid", None, 0),
    ("0771234005", "005", "Paid", None, 3),
    ("0771234009", "009", "Failed", None, 1),
    ("0771111111", "test-success", "Paid", 5.0, 1),
    ("0772222222", "test-delayed-success", "Paid", 30.0, 1),
    ("0773333333", "test-user-cancelled", "Failed", 30.0, 1),
])
def test_scenario_table(phone, scenario, final_status, delay, callbacks):
    outcome = scenarios.outcome_for_phone(phone)
    assert (outcome.scenario, outcome.final_status, outcome.delay_seconds, outcome.callbacks) == (
        scenario, final_status, delay, callbacks)


@pytest.mark.parametrize("phone", ["0771234001", "0774444444"])
def test_insufficient_balance_is_refused_at_initiation(phone):
    assert scenarios.outcome_for_phone(phone).initiate_error == "Insufficient balance"


def test_special_delivery_scenarios():
    assert scenarios.outcome_for_phone("0771234006").initiate_fails
    assert scenarios.outcome_for_phone("0771234007").initiate_hangs
    assert scenarios.outcome_for_phone("0771234008").callback_before_response


@pytest.mark.parametrize("raw, local", [("0771234567", "0771234567"), ("263771234567", "0771234567"),
                                        ("+263771234567", "0771234567"), ("077 123 4567", "0771234567"),
                                        ("0271234567", None), ("+254712345678", None), ("", None)])
def test_local_numbers(raw, local):
    assert scenarios.local_number(raw) == local


# -- refusals -------------------------------------------------------------------------------------------


def test_an_unknown_integration_is_refused(client):
    assert error_of(post_form(client, WEB, request_pairs(phone=None, id="9999"))) == "Invalid Id."


@pytest.mark.parametrize("url", [WEB, EXPRESS])
def test_a_wrong_hash_is_refused_with_the_start_of_the_right_one(client, url):
    pairs = request_pairs(phone=None if url == WEB else "0771234567")
    right = paynow_hash([value for _, value in pairs])
    assert error_of(post_form(client, url, pairs, key="wrong-key")) == (
        f"Invalid Hash.  Hash should start with: {right[:6]}")
    assert error_of(post_form(client, url, pairs, sign=False)).startswith("Invalid Hash.")
    assert state.transactions_snapshot() == []


def test_the_hash_follows_wire_order(client):
    pairs = request_pairs(phone=None)
    body = with_hash(pairs)
    reordered = [body[1], body[0], *body[2:]]
    response = client.post(WEB, data=urlencode(reordered), content_type=FORM)
    assert error_of(response).startswith("Invalid Hash.")


def test_the_hash_compares_case_insensitively(client):
    body = [(key, value.lower() if key == "hash" else value) for key, value in with_hash(request_pairs(phone=None))]
    assert dict(answer(client.post(WEB, data=urlencode(body), content_type=FORM)))["status"] == "Ok"


@pytest.mark.parametrize("overrides, error", [
    ({"reference": ""}, "Missing reference field"),
    ({"amount": "0.00"}, "Invalid amount field"),
    ({"amount": "-1"}, "Invalid amount field"),
    ({"amount": "10.001"}, "Invalid amount field"),
    ({"amount": "$10"}, "Invalid amount field"),
    ({"amount": "NaN"}, "Invalid amount field"),
    ({"returnurl": "not a url"}, "Invalid returnurl field"),
    ({"resulturl": None}, "Invalid resulturl field"),
    ({"status": "message"}, "Invalid status field"),
])
def test_invalid_fields_are_refused(client, overrides, error):
    assert error_of(post_form(client, WEB, request_pairs(phone=None, **overrides))) == error


@pytest.mark.parametrize("authemail", [None, "", "someone@else.example", "merchant%40example.com"])
def test_test_mode_express_wants_the_merchants_own_authemail(client, authemail):
    error = error_of(post_form(client, EXPRESS, request_pairs(authemail=authemail)))
    assert error == ("The integration ID specified is currently in test mode. The authemail used must belong to the "
                     "company in control of the integration ID.")


@pytest.mark.parametrize("authemail", [None, "buyer%40example.com", "someone@else.example"])
def test_web_checkout_authemail_is_optional_and_unchecked(client, authemail):
    assert dict(answer(post_form(client, WEB, request_pairs(phone=None, authemail=authemail))))["status"] == "Ok"


def test_the_merchants_email_is_compared_case_insensitively(client):
    pairs = request_pairs(authemail=EMAIL.upper())
    assert dict(answer(post_form(client, EXPRESS, pairs)))["status"] == "Ok"


@pytest.mark.parametrize("method, phone, error", [
    ("vmc", "0771234567", "Invalid payment method"),
    ("ecocash", "0712345678", "Invalid mobile number for ecocash"),
    ("onemoney", "0771234567", "Invalid mobile number for onemoney"),
    ("ecocash", "12345", "Invalid mobile number for ecocash"),
])
def test_express_method_and_phone_must_agree(client, method, phone, error):
    assert error_of(post_form(client, EXPRESS, request_pairs(phone=phone, method=method))) == error


def test_a_body_that_is_not_a_form_reads_as_no_fields(client):
    response = client.post(WEB, data='{"id": "sim_key"}', content_type="application/json")
    assert error_of(response) == "Invalid Id."


def test_other_methods_and_paths(client):
    assert client.get(WEB).status_code == 405
    missing = client.get(f"{SIM}/interface/nothing")
    assert (missing.status_code, missing["Content-Type"]) == (404, "text/html")


# -- web checkout ---------------------------------------------------------------------------------------


def test_web_checkout_answers_like_paynows_example(client):
    response = post_form(client, "/simulators/paynow/Interface/InitiateTransaction", request_pairs(phone=None))
    pairs = answer(response)
    assert [key for key, _ in pairs] == ["status", "browserurl", "pollurl", "paynowreference", "hash"]
    assert hash_is_right(pairs)
    assert b"http%3a%2f%2ftestserver%2f" in response.content, "lower-case escapes, as Paynow's .NET stack writes"
    fields = dict(pairs)
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", fields["paynowreference"])
    assert fields["browserurl"] == f"http://testserver{SIM}/Payment/ConfirmPayment/" + \
        fields["paynowreference"].replace(",", "")
    assert re.fullmatch(rf"http://testserver{SIM}/Interface/CheckPayment/\?guid=[0-9a-f-]{{36}}", fields["pollurl"])


@pytest.mark.parametrize("action, status", [("paid", "Paid"), ("cancelled", "Cancelled"), ("failed", "Failed")])
def test_the_customer_decides_on_the_browser_page(client, action, status):
    fields = dict(answer(post_form(client, WEB, request_pairs(phone=None))))
    assert poll(client, fields["pollurl"])["status"] == "Created"
    page_path = fields["browserurl"].split("testserver", 1)[1]
    page = client.get(page_path)
    assert page.status_code == 200 and b"INV-001" in page.content and b"10.00" in page.content
    decided = client.post(page_path, {"action": action})
    assert (decided.status_code, decided["Location"]) == (302, "http://127.0.0.1:9/return")
    assert poll(client, fields["pollurl"])["status"] == status
    client.post(page_path, {"action": "paid"})  # a second decision changes nothing
    assert poll(client, fields["pollurl"])["status"] == status


def test_the_browser_page_refuses_unknown_actions(client):
    fields = dict(answer(post_form(client, WEB, request_pairs(phone=None))))
    page_path = fields["browserurl"].split("testserver", 1)[1]
    assert client.post(page_path, {"action": "steal"}).status_code == 400
    assert client.get(f"{SIM}/Payment/ConfirmPayment/1").status_code == 404


# -- express checkout -----------------------------------------------------------------------------------


def test_express_checkout_is_sent_then_paid_by_the_clock(client, settings):
    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 5
    clock.freeze()
    pairs = answer(post_form(client, EXPRESS, request_pairs(phone="0771234567", amount="10")))
    assert [key for key, _ in pairs] == ["status", "pollurl", "paynowreference", "instructions", "hash"]
    assert hash_is_right(pairs)
    fields = dict(pairs)
    assert "EcoCash" in fields["instructions"]
    polled = poll(client, fields["pollurl"])
    assert (polled["status"], polled["reference"], polled["amount"]) == ("Sent", "INV-001", "10.00")
    assert polled["paynowreference"] == fields["paynowreference"] and polled["pollurl"] == fields["pollurl"]
    clock.advance(5)
    assert poll(client, fields["pollurl"])["status"] == "Paid"


@pytest.mark.parametrize("phone, seconds, status", [
    ("0771111111", 5, "Paid"), ("0772222222", 30, "Paid"), ("0773333333", 30, "Failed"),
])
def test_paynows_test_numbers_keep_their_documented_timing(client, phone, seconds, status):
    clock.freeze()
    fields = dict(answer(post_form(client, EXPRESS, request_pairs(phone=phone))))
    clock.advance(seconds - 1)
    assert poll(client, fields["pollurl"])["status"] == "Sent"
    clock.advance(1)
    assert poll(client, fields["pollurl"])["status"] == status


@pytest.mark.parametrize("phone, status", [("0771234002", "Cancelled"), ("0771234003", "Cancelled"),
                                           ("0771234009", "Failed"), ("0771234004", "Paid")])
def test_decline_scenarios_over_http(client, phone, status):
    fields = dict(answer(post_form(client, EXPRESS, request_pairs(phone=phone))))
    assert poll(client, fields["pollurl"])["status"] == "Sent"
    clock.advance(30)
    assert poll(client, fields["pollurl"])["status"] == status


@pytest.mark.parametrize("phone", ["0771234001", "0774444444"])
def test_insufficient_balance_over_http_creates_nothing(client, phone):
    assert error_of(post_form(client, EXPRESS, request_pairs(phone=phone))) == "Insufficient balance"
    assert state.transactions_snapshot() == []


def test_scenario_006_is_a_503_page_and_creates_nothing(client):
    response = post_form(client, EXPRESS, request_pairs(phone="0771234006"))
    assert (response.status_code, response["Content-Type"]) == (503, "text/html")
    assert b"Service Unavailable" in response.content
    assert state.transactions_snapshot() == []


@pytest.mark.parametrize("method, phone", [("onemoney", "0712345678"), ("ecocash", "263781234567"),
                                           ("ecocash", "+263771234567")])
def test_wallets_and_phone_forms(client, method, phone):
    fields = dict(answer(post_form(client, EXPRESS, request_pairs(phone=phone, method=method))))
    assert fields["status"] == "Ok"
    [created] = state.transactions_snapshot()
    assert (created.method, created.phone) == (method, "0" + phone[-9:])


def test_innbucks_adds_an_authorization_code(client):
    clock.freeze()
    pairs = answer(post_form(client, EXPRESS, request_pairs(phone="0731234567", method="innbucks")))
    assert [key for key, _ in pairs][-3:] == ["authorizationcode", "authorizationexpires", "hash"]
    assert hash_is_right(pairs)
    fields = dict(pairs)
    assert re.fullmatch(r"\d{9}", fields["authorizationcode"])
    expected = (clock.now() + timedelta(minutes=10)).astimezone(timezone(timedelta(hours=2)))
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    assert fields["authorizationexpires"] == (
        f"{expected.day}-{months[expected.month - 1]}-{expected.year} {expected:%H:%M}")


def test_an_sdk_that_encodes_before_hashing_is_accepted(client):
    """The official SDK quote_plus-encodes values before hashing; one decode gives back what it hashed (7.4)."""
    values = [("reference", "INV 1"), ("amount", "10.0"), ("id", "sim_key"), ("additionalinfo", "Honey, "),
              ("authemail", EMAIL), ("status", "Message")]
    pre_encoded = [(key, quote_plus(value)) for key, value in values]
    pre_encoded += [("resulturl", "http://127.0.0.1:9/r"), ("returnurl", "http://127.0.0.1:9/return")]
    response = client.post(WEB, data=urlencode(with_hash(pre_encoded)), content_type=FORM)
    assert dict(answer(response))["status"] == "Ok"
    [created] = state.transactions_snapshot()
    assert (created.reference, created.amount) == ("INV+1", "10.00")


def test_poll_of_an_unknown_transaction(client):
    response = client.post(f"{SIM}/Interface/CheckPayment/?guid=00000000-0000-0000-0000-000000000000", data=b"",
                           content_type=FORM)
    assert error_of(response) == "Invalid transaction"


def test_poll_by_get_answers_too(client):
    fields = dict(answer(post_form(client, WEB, request_pairs(phone=None))))
    polled = dict(answer(client.get(fields["pollurl"].split("testserver", 1)[1])))
    assert polled["status"] == "Created"
