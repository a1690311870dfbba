"""/v1/providers lists the gateways, the merchant's configured ones, and aggregator catalogues."""

import pytest

from lipwa.payments.tests.factories import unreachable_mpesa_account

pytestmark = pytest.mark.django_db


def test_providers_for_a_country(client, merchant, test_key):
    unreachable_mpesa_account(merchant)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}
    kenya = client.get("/v1/providers?country=ke", **auth).json()["data"]
    mpesa = next(p for p in kenya if p["id"] == "mpesa")
    assert mpesa["configured"] and mpesa["networks"] == ["safaricom"] and mpesa["currencies"] == ["KES"]
    assert all("KE" in p["countries"] for p in kenya)
    everything = client.get("/v1/providers", **auth).json()["data"]
    assert {p["id"] for p in kenya} <= {p["id"] for p in everything}


@pytest.mark.parametrize("country", ["KEN", "1", "k"])
def test_bad_country(client, test_key, country):
    response = client.get(f"/v1/providers?country={country}", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code == 400 and response.json()["error"]["param"] == "country"
