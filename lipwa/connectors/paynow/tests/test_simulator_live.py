"""Third-party clients against the simulator over loopback (pytest-django's live server).

DESIGN.md: "A third-party client library pointed at the simulator must work unchanged". The official `paynow`
SDK is not installed here, so `SdkLikeClient` reproduces its wire behaviour exactly as its source reads (PROVIDERS.md
7.4): fields in its own order, values `quote_plus`-encoded before hashing (except the URLs, and `authemail` on
the mobile path), then form-encoded again by the HTTP layer; the answer's hash checked over one decode.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote_plus

import httpx
import pytest

from lipwa.common import clock
from lipwa.connectors.paynow.simulator import state

from .test_simulator_support import EMAIL, URLCONF, Receiver

pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture(autouse=True)
def _clean():
    state.reset()
    yield
    state.reset()
    clock.reset()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def base_url(live_server) -> str:
    return f"{live_server.url}/simulators/paynow"


class SdkLikeClient:
    def __init__(self, base_url: str, integration_id: str, integration_key: str, result_url: str) -> None:
        self.base_url, self.integration_id, self.key, self.result_url = base_url, integration_id, integration_key, \
            result_url

    def _hash(self, items: dict[str, str]) -> str:
        joined = "".join(str(value) for key, value in items.items() if key.lower() != "hash")
        return hashlib.sha512((joined + self.key.lower()).encode("utf-8")).hexdigest().upper()

    def send_mobile(self, reference: str, amount: float, phone: str, method: str, timeout: float = 10) -> dict:
        body = {"reference": reference, "amount": amount, "id": self.integration_id, "additionalinfo": "Honey, ",
                "authemail": EMAIL, "phone": phone, "method": method, "status": "Message"}
        for key, value in body.items():
            if key != "authemail":
                body[key] = quote_plus(str(value))
        body["resulturl"] = self.result_url
        body["returnurl"] = "http://127.0.0.1:9/return"
        body["hash"] = self._hash(body)
        response = httpx.post(f"{self.base_url}/interface/remotetransaction", data=body, timeout=timeout)
        return self._verified(response)

    def check_transaction_status(self, poll_url: str) -> dict:
        return self._verified(httpx.post(poll_url, data={}, timeout=10))

    def _verified(self, response: httpx.Response) -> dict:
        assert response.status_code == 200, response.text
        data = {key: value for key, value in parse_qsl(response.text)}
        if data["status"].lower() != "error":
            assert data["hash"] == self._hash(data), "Hashes do not match"
        return data


def test_an_sdk_like_client_works_unchanged(base_url, receiver):
    sdk = SdkLikeClient(base_url, "sim_key", "sim_secret", receiver.url)
    initiated = sdk.send_mobile("Order 42", 10.0, "0771234567", "ecocash")
    assert initiated["status"] == "Ok" and "pollurl" in initiated
    assert receiver.wait_for(1)
    update = dict(parse_qsl(receiver.raw[0].decode()))
    # The reference comes back as Paynow decoded it once: still in the SDK's encoded form.
    assert (update["reference"], update["status"]) == ("Order+42", "Paid")
    status = sdk.check_transaction_status(initiated["pollurl"])
    assert (status["status"], status["amount"], status["paynowreference"]) == (
        "Paid", "10.00", initiated["paynowreference"])


def test_an_sdk_like_client_is_refused_with_the_wrong_key(base_url):
    initiated = SdkLikeClient(base_url, "sim_key", "wrong", "http://127.0.0.1:9/r").send_mobile(
        "Order 42", 10.0, "0771234567", "ecocash")
    assert initiated["status"] == "Error" and initiated["error"].startswith("Invalid Hash.")


def test_scenario_007_times_out_the_client_yet_succeeds(base_url, receiver, settings):
    settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.0
    sdk = SdkLikeClient(base_url, "sim_key", "sim_secret", receiver.url)
    with pytest.raises(httpx.ReadTimeout):
        sdk.send_mobile("Order 7", 5.0, "0771234007", "ecocash", timeout=0.2)
    # The client never saw the poll URL; Paynow still has the transaction, and its status update carries it.
    [created] = state.transactions_snapshot()
    assert receiver.wait_for(1)
    update = dict(parse_qsl(receiver.raw[0].decode()))
    assert (update["pollurl"], update["status"]) == (created.poll_url, "Paid")
    assert sdk.check_transaction_status(update["pollurl"])["status"] == "Paid"
