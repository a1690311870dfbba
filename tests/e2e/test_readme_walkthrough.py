"""Start the real product (`lipwa run`: gunicorn + db_worker + scheduler) and follow the README's curl walk-through."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
DEMO_KEY = "sk_test_readme_walkthrough_0001"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url():
    """Its own database: the server processes must not share the test run's."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield ""
        return
    import psycopg

    name = f"lipwa_e2e_{uuid.uuid4().hex[:10]}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(tmp_path, database_url):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "LIPWA_"))}
    env.update(PORT=str(port), LIPWA_DEMO_KEY=DEMO_KEY, LIPWA_VAR_DIR=str(tmp_path),
               LIPWA_SIMULATOR_DELAY_SECONDS="0.5", DATABASE_URL=database_url)
    # Output goes to a file, not a pipe: a straggling grandchild holding a pipe open would block the reader.
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen([sys.executable, "-m", "lipwa.cli.main", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    process.output = lambda: (tmp_path / "run.log").read_text()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of the process group (a worker stuck in shutdown) goes too
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lipwa run exited early:\n{process.output()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("lipwa run did not answer /healthz within 60 s")


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
