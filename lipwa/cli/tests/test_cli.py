"""The `lipwa` command: operator actions, bad input with exit code 2, and a standalone simulator."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lipwa.cli.main import main
from lipwa.common.crypto import sha256_hex

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def lipwa(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # main() returns codes; this only guards against a regression
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.django_db
def test_merchant_key_and_account_lifecycle(lipwa, monkeypatch):
    from lipwa.merchants.models import ApiKey, ConnectorAccount

    code, out, _ = lipwa("merchants", "create", "Duka La Mama")
    assert code == 0
    merchant_id = out.strip()
    code, out, _ = lipwa("keys", "create", "--merchant", merchant_id, "--mode", "live")
    key_id, raw = out.splitlines()[:2]
    assert code == 0 and raw.startswith("sk_live_")
    assert ApiKey.objects.get(id=key_id).key_hash == sha256_hex(raw)
    code, out, _ = lipwa("keys", "revoke", key_id)
    assert code == 0 and "revoked" in out
    monkeypatch.setenv("DARAJA_SECRET", "s3cr3t-consumer-secret")
    code, out, err = lipwa("accounts", "add", "--merchant", merchant_id, "--connector", "mpesa", "--mode", "test",
                           "--set", "base_url=https://sandbox.safaricom.co.ke", "--set", "consumer_key=abc",
                           "--set", "consumer_secret=env:DARAJA_SECRET", "--set", "shortcode=174379",
                           "--set", "passkey=passkey-value-long-enough")
    assert code == 0, err
    account = ConnectorAccount.objects.get(id=out.strip())
    assert "s3cr3t" not in account.credentials_encrypted
    code, out, _ = lipwa("accounts", "list", "--merchant", merchant_id)
    assert code == 0 and account.id in out and "s3cr3t" not in out and "passkey-value" not in out
    from lipwa.audit.services import audit_trail

    [entry] = audit_trail(object_id=account.id)
    assert entry.action == "credentials.create" and entry.actor.startswith("cli:")
    assert "s3cr3t" not in str(entry.details) and "consumer_secret" in entry.details["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("argv, message", [
    (("keys", "create", "--merchant", "mer_missing", "--mode", "test"), "no merchant mer_missing"),
    (("keys", "revoke", "key_missing"), "no API key key_missing"),
    (("merchants", "create", "  "), "must not be empty"),
    (("accounts", "list", "--merchant", "mer_missing"), "no merchant"),
])
def test_bad_input_exits_2_with_a_message(lipwa, argv, message):
    code, _, err = lipwa(*argv)
    assert code == 2 and message in err


@pytest.mark.django_db
def test_bad_account_settings(lipwa, merchant):
    base = ("accounts", "add", "--merchant", merchant.id, "--connector", "mpesa", "--mode", "test")
    assert lipwa(*base, "--set", "oops")[0] == 2
    code, _, err = lipwa(*base, "--set", "consumer_secret=env:NOT_SET_ANYWHERE_123")
    assert code == 2 and "NOT_SET_ANYWHERE_123" in err
    code, _, err = lipwa(*base, "--set", "consumer_key=abc")
    assert code == 2 and "missing credentials" in err
    code, _, err = lipwa("accounts", "add", "--merchant", merchant.id, "--connector", "venmo", "--mode", "test")
    assert code == 2 and "unknown provider" in err


@pytest.mark.parametrize("argv", [("simulate", "mpesa", "--port", "0"), ("simulate", "mpesa", "--port", "http"),
                                  ("run", "--port", "70000"), ("frobnicate",)])
def test_argument_errors(lipwa, argv):
    code, _, err = lipwa(*argv)
    assert code == 2 and err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_standalone_simulator_serves_daraja_paths(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "LIPWA_"))}
    env["LIPWA_VAR_DIR"] = str(tmp_path)
    log_path = tmp_path / "simulate.log"
    log = open(log_path, "w")  # noqa: SIM115 - a file, not a pipe, so no straggler can block a reader
    process = subprocess.Popen([sys.executable, "-m", "lipwa.cli.main", "simulate", "mpesa", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}/simulators/mpesa"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                token = httpx.get(f"{base}/oauth/v1/generate", params={"grant_type": "client_credentials"},
                                  auth=("sim_key", "sim_secret"), timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, log_path.read_text()
                time.sleep(0.1)
        assert token.status_code == 200 and token.json()["access_token"]
        refused = httpx.get(f"{base}/oauth/v1/generate", params={"grant_type": "client_credentials"},
                            auth=("sim_key", "wrong"), timeout=2, trust_env=False)
        assert refused.status_code == 401
        nothing_else = httpx.get(f"http://127.0.0.1:{port}/v1/payments", timeout=2, trust_env=False)
        assert nothing_else.status_code == 404
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # and any worker left behind
            except ProcessLookupError:
                pass
            log.close()


def test_unknown_simulator(lipwa):
    code, _, err = lipwa("simulate", "venmo", "--port", "9")
    assert code == 2 and "unknown provider" in err


@pytest.mark.django_db
def test_accounts_configure_limits_and_fees(lipwa, merchant):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    account = unreachable_mpesa_account(merchant)
    code, out, err = lipwa("accounts", "configure", account.id, "--limit", "KES=100:25000000", "--fee", "KES=0:150")
    assert code == 0, err
    account.refresh_from_db()
    assert account.limits == {"KES": {"min": 100, "max": 25000000}}
    assert account.fees == {"KES": {"fixed": 0, "percent_bps": 150}}
    assert lipwa("accounts", "configure", account.id, "--limit", "KES=lots")[0] == 2
    assert lipwa("accounts", "configure", account.id, "--fee", "KES=0:20000")[0] == 2
    assert lipwa("accounts", "configure", "ca_missing", "--fee", "KES=0:1")[0] == 2


@pytest.mark.django_db
def test_ledger_verify(lipwa, merchant):
    from lipwa.ledger.codes import AccountKind, TransferCode
    from lipwa.ledger.models import LedgerAccount
    from lipwa.ledger.services import account_ensure, transfer_create

    clearing = account_ensure(merchant=merchant, mode="test", currency="KES", kind=AccountKind.GATEWAY_CLEARING)
    available = account_ensure(merchant=merchant, mode="test", currency="KES", kind=AccountKind.MERCHANT_AVAILABLE)
    transfer_create(transfer_id="t1", debit=clearing, credit=available, amount_minor=500, code=TransferCode.CHARGE)
    code, out, _ = lipwa("ledger", "verify")
    assert code == 0 and "consistent" in out
    LedgerAccount.objects.filter(id=available.id).update(credits_posted=501)
    code, out, _ = lipwa("ledger", "verify")
    assert code == 1 and available.id in out


@pytest.mark.django_db
def test_merchants_configure(lipwa, merchant):
    code, out, err = lipwa("merchants", "configure", merchant.id, "--settlement-currency", "USD",
                           "--refund-approval-above", "KES=500000")
    assert code == 0, err
    merchant.refresh_from_db()
    assert (merchant.settlement_currency, merchant.refund_approval_thresholds) == ("USD", {"KES": 500000})
    assert lipwa("merchants", "configure", merchant.id, "--settlement-currency", "XYZ")[0] == 2
    assert lipwa("merchants", "configure", merchant.id, "--refund-approval-above", "KES=lots")[0] == 2
    merchant.refresh_from_db()
    assert merchant.settlement_currency == "USD"
