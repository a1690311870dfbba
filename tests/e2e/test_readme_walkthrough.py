"""Start the real product (`lipwa run`: gunicorn + db_worker + scheduler) and follow the README's curl walk-through."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from .lipwa_process import lipwa_run, own_database

pytestmark = pytest.mark.e2e
DEMO_KEY = "sk_test_readme_walkthrough_0001"


@pytest.fixture
def server(tmp_path):
    with own_database() as database_url, lipwa_run(tmp_path, database_url, LIPWA_DEMO_KEY=DEMO_KEY,
                                                   LIPWA_SIMULATOR_DELAY_SECONDS="0.5") as running:
        yield running


def test_readme_walkthrough(server):
    base, process = server
    auth = {"Authorization": f"Bearer {DEMO_KEY}"}
    with httpx.Client(base_url=base, headers=auth, timeout=40, trust_env=False) as client:
        created = client.post("/v1/payments", json={"amount": 10000, "currency": "KES", "method": "mobile_money",
                                                    "phone": "0712345678", "merchant_reference": "order-1001"})
        assert created.status_code == 201, created.text
        payment_id = created.json()["id"]
        # The status query may settle the payment before the callback is confirmed; the callback's receipt
        # number follows moments later (the status query does not carry one), so wait for both.
        deadline = time.monotonic() + 60
        payment = created.json()
        while not (payment["status"] == "succeeded" and payment["receipt_number"]) and time.monotonic() < deadline:
            time.sleep(0.25)
            payment = client.get(f"/v1/payments/{payment_id}").json()
        assert payment["status"] == "succeeded"
        assert payment["receipt_number"]
        deadline = time.monotonic() + 30
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert client.get("/readyz").status_code == 200, client.get("/readyz").text
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=20) == 0, "Ctrl-C stops every process cleanly"
    output = process.output()
    assert DEMO_KEY in output and "lipwa stopped." in output
