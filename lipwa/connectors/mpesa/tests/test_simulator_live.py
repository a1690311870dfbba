"""Third-party clients against the simulator over loopback (pytest-django's live server).

DESIGN.md: "A third-party client library pointed at http://127.0.0.1:8000/simulators/mpesa must work
unchanged". `pydaraja` is the one small pure-Python Daraja client on PyPI whose base URL can be set; the
raw httpx test does what any other client does, with string numerics as many of them send.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from lipwa.connectors.mpesa.simulator import state

from .test_simulator_support import PASSKEY, SHORTCODE, URLCONF, Receiver

pytestmark = pytest.mark.urls(URLCONF)


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


@pytest.fixture
def base_url(live_server) -> str:
    return f"{live_server.url}/simulators/mpesa"


def third_party_password() -> tuple[str, str]:
    # Kenyan time, as the Daraja docs and most clients compute it.
    timestamp = datetime.now(timezone(timedelta(hours=3))).strftime("%Y%m%d%H%M%S")
    return base64.b64encode(f"{SHORTCODE}{PASSKEY}{timestamp}".encode()).decode(), timestamp


def raw_token(http: httpx.Client) -> str:
    response = http.get("/oauth/v1/generate", params={"grant_type": "client_credentials"},
                        auth=("sim_key", "sim_secret"))
    assert response.status_code == 200, response.text
    assert int(response.json()["expires_in"]) == 3599
    return response.json()["access_token"]


def test_raw_http_client_with_string_numerics(base_url, receiver):
    with httpx.Client(base_url=base_url, timeout=10) as http:
        bearer = {"Authorization": f"Bearer {raw_token(http)}"}
        password, timestamp = third_party_password()
        pushed = http.post("/mpesa/stkpush/v1/processrequest", headers=bearer, json={
            "BusinessShortCode": SHORTCODE, "Password": password, "Timestamp": timestamp,
            "TransactionType": "CustomerPayBillOnline", "Amount": "25", "PartyA": "254712345678",
            "PartyB": SHORTCODE, "PhoneNumber": "254712345678", "CallBackURL": receiver.url,
            "AccountReference": "ORDER42", "TransactionDesc": "Payment",
        })
        assert pushed.status_code == 200, pushed.text
        checkout_id = pushed.json()["CheckoutRequestID"]
        assert receiver.wait_for(1)
        callback = receiver.bodies[0]["Body"]["stkCallback"]
        assert callback["CheckoutRequestID"] == checkout_id and callback["ResultCode"] == 0
        queried = http.post("/mpesa/stkpushquery/v1/query", headers=bearer, json={
            "BusinessShortCode": SHORTCODE, "Password": password, "Timestamp": timestamp,
            "CheckoutRequestID": checkout_id,
        })
        assert queried.status_code == 200 and queried.json()["ResultCode"] == "0"


def test_raw_http_client_sees_daraja_errors(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as http:
        refused = http.get("/oauth/v1/generate", params={"grant_type": "client_credentials"}, auth=("sim_key", "nope"))
        assert refused.status_code == 401 and refused.json()["errorCode"] == "401.002.01"
        expired = http.post("/mpesa/stkpush/v1/processrequest", headers={"Authorization": "Bearer stale"}, json={})
        assert expired.status_code == 404 and expired.json()["errorCode"] == "404.001.03"


def test_pydaraja_works_unchanged_against_the_simulator(base_url, receiver):
    pydaraja = pytest.importorskip("pydaraja")
    gateway = pydaraja.MpesaPaymentGateway(consumer_key="sim_key", consumer_secret="sim_secret",
                                           business_shortcode=SHORTCODE, passkey=PASSKEY, endpoint=base_url)
    # pydaraja's default TransactionDesc is 29 characters, which Daraja fails with 1025 (PROVIDERS.md 1.9).
    pushed = gateway.trigger_stk_push(phone_number="0712345678", amount=1, callback_url=receiver.url,
                                      account_reference="ORDER42", transaction_desc="Payment")
    assert pushed.status_code == 200, pushed.text
    checkout_id = pushed.json()["CheckoutRequestID"]
    assert receiver.wait_for(1)
    assert receiver.bodies[0]["Body"]["stkCallback"]["ResultCode"] == 0
    queried = gateway.query_stk_push(checkout_id)
    assert queried.json()["ResultCode"] == "0"


def test_pydaraja_is_refused_with_wrong_credentials(base_url):
    pydaraja = pytest.importorskip("pydaraja")
    with pytest.raises(pydaraja.exceptions.ClientError):
        pydaraja.MpesaPaymentGateway(consumer_key="sim_key", consumer_secret="wrong", business_shortcode=SHORTCODE,
                                     passkey=PASSKEY, endpoint=base_url)


def test_scenario_007_times_out_the_client_yet_succeeds(base_url, receiver, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    with httpx.Client(base_url=base_url, timeout=10) as http:
        bearer = {"Authorization": f"Bearer {raw_token(http)}"}
        password, timestamp = third_party_password()
        body = {"BusinessShortCode": SHORTCODE, "Password": password, "Timestamp": timestamp,
                "TransactionType": "CustomerPayBillOnline", "Amount": 5, "PartyA": 254712345007,
                "PartyB": int(SHORTCODE), "PhoneNumber": 254712345007, "CallBackURL": receiver.url,
                "AccountReference": "ORDER7", "TransactionDesc": "Payment"}
        with pytest.raises(httpx.ReadTimeout):
            http.post("/mpesa/stkpush/v1/processrequest", headers=bearer, json=body, timeout=0.2)
        # The client never saw the CheckoutRequestID; the gateway still has the request and it succeeds.
        [created] = state.requests_snapshot()
        queried = http.post("/mpesa/stkpushquery/v1/query", headers=bearer, json={
            "BusinessShortCode": SHORTCODE, "Password": password, "Timestamp": timestamp,
            "CheckoutRequestID": created.checkout_request_id})
        assert queried.status_code == 200 and queried.json()["ResultCode"] == "0"
    assert receiver.wait_for(1)
    assert receiver.bodies[0]["Body"]["stkCallback"]["CheckoutRequestID"] == created.checkout_request_id
