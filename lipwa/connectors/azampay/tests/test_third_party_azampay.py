"""The `azampay==0.5` SDK (unchanged) against the simulator over loopback.

DESIGN.md §6: a third-party client pointed at `/simulators/azampay` must work unchanged. The SDK reads its hosts
from the class attributes `SANDBOX_AUTH_BASE_URL` and `SANDBOX_BASE_URL` (with `sandbox=True`, its default), so a
subclass that sets them to the simulator's authenticator and checkout prefixes is the whole configuration.

The SDK has no status query for checkouts and sends no `callbackUrl`, so the outcome is read the way any other
client reads it: a plain HTTP status query on the disbursement host (PROVIDERS.md 4.7).
"""

from __future__ import annotations

import httpx
import pytest

azampay = pytest.importorskip("azampay")

pytestmark = pytest.mark.django_db(transaction=True)

API_KEY = "sim_api_key"


@pytest.fixture
def base_url(lipwa_server) -> str:
    return f"{lipwa_server.url}/simulators/azampay"


@pytest.fixture
def sdk_class(base_url):
    class SimulatorAzampay(azampay.Azampay):
        SANDBOX_AUTH_BASE_URL = f"{base_url}/authenticator"
        SANDBOX_BASE_URL = f"{base_url}/checkout"

    return SimulatorAzampay


@pytest.fixture
def sdk(sdk_class):
    # The constructor fetches the token.
    return sdk_class(app_name="lipwa-tests", client_id="sim_key", client_secret="sim_secret", x_api_key=API_KEY)


def status_of(base_url: str, reference: str) -> str:
    with httpx.Client(timeout=10) as http:
        token = http.post(f"{base_url}/authenticator/AppRegistration/GenerateToken",
                          json={"appName": "lipwa-tests", "clientId": "sim_key", "clientSecret": "sim_secret"})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['data']['accessToken']}", "X-API-Key": API_KEY}
        answer = http.get(f"{base_url}/disbursement/api/v1/azampay/transactionstatus", headers=headers,
                          params={"pgReferenceId": reference, "bankName": "Tigo"})
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


def test_the_sdk_lists_the_simulated_wallets(sdk):
    assert set(sdk.supported_mnos) == {"Airtel", "Tigo", "Halopesa", "Azampesa", "Mpesa"}


def test_mno_checkout_succeeds(sdk, base_url):
    response = sdk.mobile_checkout(mobile="0713456789", amount="2500", external_id="order-1", provider="Tigo")
    assert response["success"] is True, response
    assert len(response["transactionId"]) == 32
    assert status_of(base_url, response["transactionId"]) == "success"


def test_mno_checkout_insufficient_balance_fails(sdk, base_url):
    response = sdk.mobile_checkout(mobile="0713456001", amount="2500", external_id="order-2", provider="Airtel")
    assert response["success"] is True, response
    assert status_of(base_url, "order-2") == "failure"


def test_business_refusal_comes_back_as_success_false(sdk):
    response = sdk.mobile_checkout(mobile="0713456789", amount="50", external_id="order-3", provider="Tigo")
    assert response["success"] is False and response["transactionId"] is None


def test_wrong_client_secret_raises_the_sdks_invalid_credentials(sdk_class):
    with pytest.raises(azampay.InvalidCredentials):
        sdk_class(app_name="lipwa-tests", client_id="sim_key", client_secret="nope", x_api_key=API_KEY)
