"""Paynow's official Python SDK (`paynow==1.0.8`, unchanged) against the simulator over loopback.

DESIGN.md §6: a third-party client pointed at `/simulators/paynow` must work unchanged. The SDK posts to its
documented class attributes `Paynow.URL_INITIATE_TRANSACTION` / `URL_INITIATE_MOBILE_TRANSACTION` and polls
the `pollurl` the gateway returns, so a subclass that sets those two attributes is the whole configuration.

Not exercised, because the SDK itself does not implement them (not a simulator gap): `process_status_update`
(its status-update parser is a stub that prints "Not implemented"), and `InitResponse.error` (never set on an
error answer; the message is only in `InitResponse.data["error"]`).
"""

from __future__ import annotations

import pytest

from .test_simulator_support import EMAIL, INTEGRATION_ID, KEY, Receiver

paynow = pytest.importorskip("paynow")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def gateway(lipwa_server, receiver):
    base_url = f"{lipwa_server.url}/simulators/paynow"

    class SimulatorPaynow(paynow.Paynow):
        URL_INITIATE_TRANSACTION = f"{base_url}/interface/initiatetransaction"
        URL_INITIATE_MOBILE_TRANSACTION = f"{base_url}/interface/remotetransaction"

    return SimulatorPaynow(INTEGRATION_ID, KEY, "http://127.0.0.1:9/return", receiver.url)


def express(gateway, phone: str, reference: str = "INV-1001"):
    payment = gateway.create_payment(reference, EMAIL)
    payment.add("Bananas", 2.5)
    payment.add("Apples", 7.5)
    return gateway.send_mobile(payment, phone, "ecocash")


def poll_until_final(gateway, poll_url: str):
    # The test settings make the outcome final at once (LIPWA_SIMULATOR_DELAY_SECONDS=0): no sleeping.
    for _ in range(5):
        status = gateway.check_transaction_status(poll_url)
        if status.status not in ("sent", "created"):
            return status
    return status


def test_ecocash_express_checkout_is_paid(gateway, receiver, lipwa_server):
    response = express(gateway, "0771234567")
    assert response.success, response.data
    assert response.poll_url.startswith(f"{lipwa_server.url}/simulators/paynow/")
    assert "instructions" in response.data
    status = poll_until_final(gateway, response.poll_url)
    assert (status.status, status.paid) == ("paid", True)
    # The status update reaches the merchant's result URL the SDK sent.
    assert receiver.wait_for(1)
    assert dict(receiver.updates[0])["status"] == "Paid"


def test_wrong_pin_is_failed_on_poll(gateway):
    response = express(gateway, "0771234009", reference="INV-1009")
    assert response.success, response.data
    status = poll_until_final(gateway, response.poll_url)
    assert (status.status, status.paid) == ("failed", False)


def test_insufficient_balance_is_refused_at_initiation(gateway):
    response = express(gateway, "0771234001", reference="INV-1001b")
    assert response.success is False
    assert response.data["error"] == "Insufficient balance"


def test_wrong_integration_key_is_refused(lipwa_server, gateway):
    gateway.integration_key = "not-the-key"
    response = express(gateway, "0771234567")
    assert response.success is False
    assert response.data["error"].startswith("Invalid Hash.")


def test_web_checkout_gives_a_browser_url_and_waits_for_the_customer(gateway, lipwa_server):
    payment = gateway.create_payment("INV-2001", EMAIL)
    payment.add("Order 2001", 15)
    response = gateway.send(payment)
    assert response.success and response.has_redirect, response.data
    assert response.redirect_url.startswith(f"{lipwa_server.url}/simulators/paynow/")
    status = gateway.check_transaction_status(response.poll_url)
    assert (status.status, status.paid) == ("created", False)
