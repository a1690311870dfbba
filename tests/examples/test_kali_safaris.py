"""The Kali Safaris example end to end (Zimbabwe, Paynow): a booking sends the customer a WhatsApp Flow (to a
stand-in of WhatsApp's Cloud API); the test then plays WhatsApp's client against lipwa's encrypted Flows
endpoint (PROVIDERS.md §A) with lipwa's Meta harness. A USD booking pays a 50 % deposit by EcoCash in the Flow
and the balance by InnBucks on the web; a ZWG booking paid in full succeeds on OneMoney after a declined try."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest

from lipwa.whatsapp.testing import MetaHarness

from .conftest import CloudApiStandIn, form_action

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
APP_SECRET = "kali-safaris-meta-app-secret"
TRIP_DAY = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def cloud_api():
    stand_in = CloudApiStandIn()
    yield stand_in
    stand_in.close()


def paynow_integration(lipwa_server, merchant, currency: str) -> None:
    """Paynow issues one integration per currency, and lipwa charges through a merchant's first Paynow account:
    each test's merchant takes one currency."""
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create

    credentials = connector_class("paynow").simulator_credentials(f"{lipwa_server.url}/simulators/paynow")
    connector_account_create(merchant=merchant, connector="paynow", mode="test",
                             credentials={**credentials, "currency": currency})


@pytest.fixture
def whatsapp(lipwa_server, merchant):
    """Plays WhatsApp's client: each call is one encrypted, signed data-exchange request to lipwa's endpoint."""
    from lipwa.whatsapp.services import flow_keys_generate

    harness = MetaHarness(flow_keys_generate(merchant=merchant, app_secret=APP_SECRET, actor="test").public_key_pem,
                          APP_SECRET)

    def exchange(flow_token: str, action: str, screen: str | None = None, **data) -> dict:
        sealed = harness.seal({"version": "3.0", "action": action, "screen": screen, "data": data,
                               "flow_token": flow_token})
        answer = httpx.post(f"{lipwa_server.url}/flows/whatsapp/{merchant.id}", content=sealed.body,
                            headers=sealed.headers, timeout=20, trust_env=False)
        assert answer.status_code == 200, answer.text
        return sealed.open_answer(answer.text)

    return exchange


def book(app, **fields) -> str:
    answer = app.submit("/bookings/", {"safari": "hwange", "travel_date": TRIP_DAY, "travellers": "2",
                                       "customer_name": "Tendai Moyo", **fields})
    assert answer.status_code == 302, answer.text
    return re.search(r"/bookings/(KS-\w+)/", answer.headers["location"]).group(1)


def page(app, reference: str) -> str:
    return app.http.get(f"/bookings/{reference}/").text


def status(app, reference: str) -> str:
    return re.search(r'<p id="status" class="(\w+)"', page(app, reference)).group(1)


def test_deposit_in_a_whatsapp_flow_then_balance_by_innbucks(start_example, cloud_api, whatsapp, settle,
                                                             lipwa_server, merchant):
    paynow_integration(lipwa_server, merchant, "USD")
    app = start_example("kali_safaris", WHATSAPP_API_URL=cloud_api.url, WHATSAPP_TOKEN="cloud-api-token",
                        WHATSAPP_PHONE_NUMBER_ID="106540352242922", WHATSAPP_FLOW_ID="kali-pay-flow")
    past = app.submit("/bookings/", {"safari": "hwange", "travel_date": "2020-01-01", "travellers": "2",
                                     "customer_name": "T", "currency": "USD", "plan": "full", "phone": "0771234678"})
    assert past.status_code == 400 and "Choose a date after today." in past.text

    booking = book(app, currency="USD", plan="deposit", phone="0771234678")  # 2 × USD 450.00
    assert "We sent you a WhatsApp message to pay USD 450.00" in page(app, booking)
    [sent] = cloud_api.requests
    assert sent["path"] == "/v21.0/106540352242922/messages"
    assert sent["headers"]["Authorization"] == "Bearer cloud-api-token"
    message = sent["json"]
    assert (message["to"], message["type"], message["interactive"]["type"]) == ("263771234678", "interactive", "flow")
    parameters = message["interactive"]["action"]["parameters"]
    token = parameters["flow_token"]
    assert token.startswith("cs_") and parameters["flow_id"] == "kali-pay-flow"

    # The customer opens the Flow, chooses mobile money and keeps the EcoCash number the booking prefilled.
    opened = whatsapp(token, "INIT")
    assert opened["screen"] == "PAYMENT_METHOD" and opened["data"]["amount"] == "USD 450.00"
    assert opened["data"]["phone"] == "+263771234678"
    paying = whatsapp(token, "data_exchange", "PAYMENT_METHOD", method="mobile_money", phone=opened["data"]["phone"])
    assert paying["screen"] == "PAYMENT_STATUS", paying["data"].get("error_message")
    settle(lambda: status(app, booking) == "deposit_paid", "the deposit paid via the webhook")
    assert whatsapp(token, "data_exchange", "PAYMENT_STATUS")["screen"] == "SUCCESS"
    assert '<span id="paid">USD 450.00</span>' in page(app, booking)

    # The balance: a second Flow is sent, but the customer pays here with InnBucks (a wallet with no prefix).
    assert app.submit(f"/bookings/{booking}/balance/", {}).status_code == 302
    assert len(cloud_api.requests) == 2
    assert cloud_api.requests[1]["json"]["interactive"]["action"]["parameters"]["flow_token"] != token
    pay_here = form_action(page(app, booking), "/pay/")
    assert app.submit(pay_here, {"wallet": "innbucks", "phone": "0771234678"}).status_code == 302
    settle(lambda: status(app, booking) == "paid", "the balance paid via the webhook")
    assert '<span id="paid">USD 900.00</span>' in page(app, booking)


def test_full_payment_in_zwg_after_a_declined_try(start_example, cloud_api, whatsapp, settle, sdk, lipwa_server,
                                                  merchant):
    paynow_integration(lipwa_server, merchant, "ZWG")
    app = start_example("kali_safaris", WHATSAPP_API_URL=cloud_api.url, WHATSAPP_TOKEN="cloud-api-token",
                        WHATSAPP_PHONE_NUMBER_ID="106540352242922", WHATSAPP_FLOW_ID="kali-pay-flow")
    booking = book(app, safari="falls", travellers="1", currency="ZWG", plan="full", phone="0712345678")
    token = cloud_api.requests[0]["json"]["interactive"]["action"]["parameters"]["flow_token"]
    assert "ZWG 2,540.00" in cloud_api.requests[0]["json"]["interactive"]["body"]["text"]

    # A declined payment (…009; Paynow gives no reason): the Flow offers the payment again.
    whatsapp(token, "data_exchange", "PAYMENT_METHOD", method="mobile_money", phone="0712345009")
    settle(lambda: "last try: provider_declined" in page(app, booking), "the declined OneMoney payment")
    retry = whatsapp(token, "data_exchange", "PAYMENT_STATUS")
    assert retry["screen"] == "PAYMENT_METHOD" and "(provider declined)" in retry["data"]["error_message"]
    whatsapp(token, "data_exchange", "PAYMENT_METHOD", method="mobile_money", phone="0712345678")
    settle(lambda: status(app, booking) == "paid", "the booking paid in full")

    payments = list(sdk.payments.list_all())
    assert sorted((p["provider"], p["network"], p["currency"], p["status"]) for p in payments) == [
        ("paynow", "netone", "ZWG", "failed"), ("paynow", "netone", "ZWG", "succeeded")]
    assert status(app, booking) == "paid" and '<span id="paid">ZWG 2,540.00</span>' in page(app, booking)
    assert {p["merchant_reference"] for p in payments} == {f"{booking}-full"}
