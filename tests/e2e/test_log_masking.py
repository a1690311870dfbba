"""Run the real product (`lipwa run`: gunicorn, worker, scheduler) with JSON logs at DEBUG, push payments through
every mobile-money gateway's simulator plus some bad requests, then scan everything the processes wrote for
phone numbers, API keys and gateway secrets that escaped masking."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import httpx
import pytest
from django.test import override_settings

from lipwa.cli.run import _banner
from lipwa.connectors.registry import connector_class, connector_ids
from lipwa.ops.masking import is_secret_name

from .lipwa_process import lipwa_run, own_database

pytestmark = pytest.mark.e2e
DEMO_KEY = "sk_test_log_masking_demo_key_0001"
WRONG_KEY = "sk_test_log_masking_wrong_key_9999"

# (currency, amount, payer phone as the merchant sends it, the same number in E.164): one per gateway, in the
# formats merchants really send (local, international with and without +).
PAYMENTS = [
    ("KES", 10000, "0712345678", "+254712345678"),
    ("UGX", 1000, "+256772123678", "+256772123678"),
    ("UGX", 1000, "256752123678", "+256752123678"),
    ("TZS", 100_000, "+255754123678", "+255754123678"),
    ("XOF", 1000, "+2290197100678", "+2290197100678"),
    ("USD", 1000, "+263771234678", "+263771234678"),
]


@pytest.fixture
def server(tmp_path):
    with own_database() as database_url, lipwa_run(
            tmp_path, database_url, LIPWA_DEMO_KEY=DEMO_KEY, LIPWA_SIMULATOR_DELAY_SECONDS="0.3",
            LIPWA_LOG_FORMAT="json", LIPWA_LOG_LEVEL="DEBUG") as running:
        yield running


def _drive(base: str) -> str:
    """Payments through every mobile-money gateway, bad requests carrying personal data; returns the webhook
    secret lipwa showed once."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {DEMO_KEY}"}, timeout=40,
                      trust_env=False) as api:
        endpoint = api.post("/v1/webhook_endpoints", json={"url": "https://merchant.example/hooks",
                                                           "enabled_events": ["*"]})
        assert endpoint.status_code in (200, 201), endpoint.text
        ids = []
        for currency, amount, phone, _ in PAYMENTS:
            created = api.post("/v1/payments", headers={"Idempotency-Key": f"order-{phone}"},
                               json={"amount": amount, "currency": currency, "method": "mobile_money",
                                     "phone": phone, "merchant_reference": f"order {phone}"})
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        # Refusals echo what was sent: an unknown key, an impossible number, a password in a metadata field.
        assert httpx.get(f"{base}/v1/payments", headers={"Authorization": f"Bearer {WRONG_KEY}"},
                         trust_env=False).status_code == 401
        bad = api.post("/v1/payments", json={"amount": 100, "currency": "KES", "method": "mobile_money",
                                             "phone": "+2547123456789999", "metadata": {"password": "hunter22"}})
        assert bad.status_code == 400, bad.text
        assert api.get("/v1/payments", params={"phone": "+254712345678"}).status_code in (200, 400)
        deadline = time.monotonic() + 60
        pending = set(ids)
        while pending and time.monotonic() < deadline:
            time.sleep(0.25)
            pending = {pid for pid in pending if api.get(f"/v1/payments/{pid}").json()["status"] != "succeeded"}
        assert not pending, f"payments not settled: {pending}"
    return endpoint.json()["secret"]


def _secrets(var_dir) -> set[str]:
    """Gateway credentials of every simulator account, and the service's own keys."""
    secrets = set()
    for connector in connector_ids():
        credentials = connector_class(connector).simulator_credentials("http://127.0.0.1/simulators/x")
        secrets |= {value for name, value in credentials.items()
                    if is_secret_name(name) and isinstance(value, str) and len(value) >= 6}
    dev = var_dir / "dev-secrets.json"
    if dev.exists():
        secrets |= set(json.loads(dev.read_text()).values())
    return secrets


def _phone_forms(e164: str) -> set[str]:
    digits = e164.lstrip("+")
    return {e164, digits, f"%2B{digits}"}


UNMASKED_E164 = re.compile(r"(?<![\w*])(?:\+|%2B)\d{8,15}(?!\d)")
UNMASKED_INTERNATIONAL = re.compile(r"(?<![\w*.])2\d{10,12}(?![\d*])")
RAW_API_KEY = re.compile(r"\bsk_(?:test|live)_[A-Za-z0-9_-]{8,}")


def test_logs_of_the_running_product_hold_no_unmasked_personal_data(server):
    base, process = server
    webhook_secret = _drive(base)
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=20) == 0
    output = process.output()
    with override_settings(VAR_DIR=str(process.var_dir)):  # the demo admin's password the server generated there
        banner = _banner(base, DEMO_KEY)
    assert banner in output  # the operator is shown the demo key once, on purpose; everything else is logs
    lines = [line for line in output.replace(banner, "").splitlines() if line.strip()]
    not_json = [line for line in lines if not line.startswith("{") and line != "lipwa stopped."]
    assert not not_json, "every log line is one JSON object:\n" + "\n".join(not_json[:20])
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r.get("logger") == "lipwa.request" and r.get("request_id") for r in records)
    assert any(r.get("task_id") for r in records), "worker lines carry their task id"

    known = {DEMO_KEY, WRONG_KEY, webhook_secret, "hunter22", *_secrets(process.var_dir)}
    known |= {form for *_, phone, e164 in PAYMENTS for form in (_phone_forms(e164) | {phone})}
    # The scan itself must see a leak when there is one.
    assert len(_offenders(['{"event": "to +256700000111"}', '{"event": "2547*****678 sk_live_abcdefgh12"}',
                           f'{{"x": "{webhook_secret}"}}'], known)) == 3
    offenders = _offenders(lines, known)
    assert not offenders, f"{len(offenders)} log lines leak personal data or secrets:\n" + "\n".join(offenders[:30])


def _offenders(lines: list[str], known: set[str]) -> list[str]:
    offenders = []
    for number, line in enumerate(lines, 1):
        found = [secret for secret in known if secret in line]
        found += UNMASKED_E164.findall(line) + UNMASKED_INTERNATIONAL.findall(line) + RAW_API_KEY.findall(line)
        if found:
            offenders.append(f"line {number}: {sorted(set(found))}: {line[:300]}")
    return offenders
