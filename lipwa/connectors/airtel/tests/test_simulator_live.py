"""A third-party-style client against the simulator over loopback (pytest-django's live server).

DESIGN.md: a client library pointed at http://127.0.0.1:8000/simulators/airtel must work unchanged. No Airtel
client library is installed here, so this does what one does, with raw httpx and signing written from
PROVIDERS.md §3.3 (test_simulator_support), not with lipwa's client.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import load_der_public_key

from lipwa.connectors.airtel.simulator import state

from .test_simulator_support import URLCONF, Receiver, collection_body, compact, sign

pytestmark = pytest.mark.urls(URLCONF)
UG = {"X-Country": "UG", "X-Currency": "UGX", "Accept": "*/*", "Content-Type": "application/json"}


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
def http(live_server):
    with httpx.Client(base_url=f"{live_server.url}/simulators/airtel", timeout=10) as client:
        yield client


def bearer(http: httpx.Client) -> dict[str, str]:
    response = http.post("/auth/oauth2/token", json={"client_id": "sim_key", "client_secret": "sim_secret",
                                                     "grant_type": "client_credentials"})
    assert response.status_code == 200 and int(response.json()["expires_in"]) == 180
    return {**UG, "Authorization": f"Bearer {response.json()['access_token']}"}


def signed_headers(http: httpx.Client, headers: dict[str, str], body: bytes) -> dict[str, str]:
    key_b64 = http.get("/v1/rsa/encryption-keys", headers=headers).json()["data"]["key"]
    signature = sign(body, load_der_public_key(base64.b64decode(key_b64)))
    return {**headers, "x-signature": signature["HTTP_X_SIGNATURE"], "x-key": signature["HTTP_X_KEY"]}


def test_signed_collection_callback_and_enquiry(http, receiver):
    headers = bearer(http)
    body = compact(collection_body(transaction_id="live-1"))
    pushed = http.post("/merchant/v2/payments/", content=body,
                       headers={**signed_headers(http, headers, body), "X-Callback-Url": receiver.url})
    assert pushed.status_code == 200 and pushed.json()["status"]["response_code"] == "DP00800001006"
    assert receiver.wait_for(1)
    callback = json.loads(receiver.raw[0])
    assert callback["transaction"]["id"] == "live-1" and callback["transaction"]["status_code"] == "TS"
    enquiry = http.get("/standard/v1/payments/live-1", headers=headers).json()
    assert enquiry["data"]["transaction"]["airtel_money_id"] == callback["transaction"]["airtel_money_id"]


def test_scenario_007_times_out_the_client_yet_succeeds(http, receiver, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    headers = bearer(http)
    body = compact(collection_body(msisdn="752123007", transaction_id="live-7"))
    with pytest.raises(httpx.ReadTimeout):
        http.post("/merchant/v1/payments/", content=body, headers={**headers, "X-Callback-Url": receiver.url},
                  timeout=0.2)
    # The client never saw an answer, but it chose the id, so it can ask.
    enquiry = http.get("/standard/v1/payments/live-7", headers=headers).json()
    assert enquiry["data"]["transaction"]["status"] == "TS"
    assert receiver.wait_for(1)
    assert json.loads(receiver.raw[0])["transaction"]["id"] == "live-7"


def test_errors_a_client_sees(http):
    refused = http.post("/auth/oauth2/token", json={"client_id": "sim_key", "client_secret": "nope",
                                                    "grant_type": "client_credentials"})
    assert refused.status_code == 401
    stale = http.post("/merchant/v1/payments/", content=b"{}", headers={**UG, "Authorization": "Bearer stale"})
    assert stale.status_code == 401
