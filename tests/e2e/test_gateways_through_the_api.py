"""Every mobile-money gateway through the public API, routed without naming a provider: the payer's
number picks the network, the network picks the gateway (routing priority), the simulator pays, the
callback or the janitor settles it."""

from __future__ import annotations

import httpx
import pytest

from lipwa.common import clock

pytestmark = pytest.mark.django_db(transaction=True)

# (connector, currency, amount in minor units, payer phone): one ordinary "success" number per gateway.
GATEWAYS = [
    ("mpesa", "KES", 10000, "+254712345678"),
    ("mtn_momo", "UGX", 1000, "+256772123678"),
    ("airtel", "UGX", 1000, "+256752123678"),
    ("azampay", "TZS", 100_000, "+255754123678"),
    ("feexpay", "XOF", 1000, "+2290197100678"),
    ("paynow", "USD", 1000, "+263771234678"),
]


@pytest.mark.parametrize("connector, currency, amount, phone", GATEWAYS)
def test_payment_routed_and_settled(lipwa_server, simulator_account, test_key, run_tasks, connector, currency,
                                    amount, phone):
    from lipwa.payments.tasks import attempts_sync_due

    for every in ("mpesa", "mtn_momo", "airtel", "azampay", "feexpay", "paynow", "paystack"):
        simulator_account(every)  # the demo merchant's situation: an account for every gateway
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as api:
        created = api.post("/v1/payments", json={"amount": amount, "currency": currency, "method": "mobile_money",
                                                 "phone": phone, "merchant_reference": f"e2e-{connector}"})
        assert created.status_code == 201, created.text
        payment = created.json()
        assert payment["provider"] == connector, payment
        for _ in range(6):
            run_tasks()
            status = api.get(f"/v1/payments/{payment['id']}").json()["status"]
            if status == "succeeded":
                break
            clock.advance(61)
            attempts_sync_due.call()
        assert api.get(f"/v1/payments/{payment['id']}").json()["status"] == "succeeded"
