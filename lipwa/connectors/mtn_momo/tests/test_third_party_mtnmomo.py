"""The mtnmomo library, unchanged, provisions a sandbox user and collects against our MTN MoMo simulator.

mtnmomo pins requests 2.21 and Click 7, which cannot live in lipwa's environment, so `make test` gives it
its own virtualenv (.venv-thirdparty, from requirements-thirdparty.lock) and this test runs it as a
subprocess pointed at the live server over loopback.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PYTHON = ROOT / ".venv-thirdparty" / "bin" / "python"
SCRIPT = Path(__file__).with_name("thirdparty") / "mtnmomo_collect.py"

pytestmark = pytest.mark.django_db(transaction=True)


def collect(base_url: str, phone: str) -> dict:
    assert PYTHON.exists(), "run `make test`: it builds .venv-thirdparty for the third-party client tests"
    done = subprocess.run([str(PYTHON), str(SCRIPT), base_url, "5151515151515151515151515151515a", phone],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_mtnmomo_collects_unchanged(lipwa_server):
    status = collect(f"{lipwa_server.url}/simulators/mtn_momo", "256772123678")
    assert (status["status"], status["currency"], status["amount"]) == ("SUCCESSFUL", "EUR", "600")
    assert status["externalId"] == "lipwa-3p-1"


def test_mtnmomo_sees_a_decline(lipwa_server):
    # mtnmomo only accepts Ugandan MTN numbers (its own check), so the sandbox's +46 magic numbers cannot be
    # sent through it; the simulator's scenario 001 (insufficient funds) can.
    status = collect(f"{lipwa_server.url}/simulators/mtn_momo", "256772123001")
    assert status["status"] == "FAILED"
