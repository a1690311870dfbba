"""`lipwa payments list|get`, `lipwa cash …`, `lipwa whatsapp keygen|show`, and the help and exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest

pytestmark = pytest.mark.django_db


def test_payments_list_and_get(cli, merchant):
    from lipwa.payments.tests.factories import payment_with_attempt, succeeded_payment, unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    paid = succeeded_payment(merchant, amount_minor=12300)
    open_, _ = payment_with_attempt(merchant)
    code, out, err = cli("payments", "list", "--merchant", merchant.id)
    assert code == 0, err
    assert paid.id in out and open_.id in out and "KES 123.00" in out and "2 payment(s)" in out
    code, out, _ = cli("payments", "list", "--merchant", merchant.id, "--status", "succeeded", "--json")
    listed = json.loads(out)
    assert code == 0 and [p["id"] for p in listed["data"]] == [paid.id] and listed["has_more"] is False
    code, out, _ = cli("payments", "list", "--merchant", merchant.id, "--limit", "1", "--json")
    assert json.loads(out)["has_more"] is True
    code, out, _ = cli("payments", "list", "--merchant", merchant.id, "--mode", "live", "--json")
    assert json.loads(out)["data"] == []
    code, out, _ = cli("payments", "get", paid.id, "--merchant", merchant.id)
    assert code == 0 and "succeeded" in out and "KES 123.00" in out and "payment.created" in out
    code, out, _ = cli("payments", "get", paid.id, "--merchant", merchant.id, "--json")
    assert json.loads(out)["id"] == paid.id


@pytest.mark.parametrize("argv, words", [
    (("payments", "list", "--merchant", "mer_nope"), "no merchant mer_nope"),
    (("payments", "list", "--status", "paid"), "--status must be one of"),
    (("payments", "list", "--limit", "0"), "--limit"),
    (("payments", "list", "--from", "yesterday"), "--from 'yesterday' is not an ISO 8601"),
    (("payments", "list", "--starting-after", "pay_nope"), "starting_after names no payment"),
    (("payments", "list", "--mode", "sandbox"), "--mode"),
    (("payments", "get", "pay_nope"), "no payment pay_nope"),
])
def test_payments_bad_input(cli, merchant, argv, words):
    code, _, err = cli(*argv, *(("--merchant", merchant.id) if "--merchant" not in argv else ()))
    assert code == 2 and words in err and err.startswith("error: ") and err.count("\n") == 1, err


def test_merchant_from_the_environment(cli, merchant, monkeypatch):
    monkeypatch.setenv("LIPWA_MERCHANT", merchant.id)
    assert cli("payments", "list", "--json")[0] == 0
    monkeypatch.delenv("LIPWA_MERCHANT")
    code, _, err = cli("payments", "list")
    assert code == 2 and "Missing option '--merchant'" in err


def test_cash_on_delivery_day(cli, merchant):
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create
    from lipwa.payments.services import payment_create

    connector_account_create(merchant=merchant, connector="cash", mode="test",
                             credentials=connector_class("cash").simulator_credentials(""))
    payment = payment_create(merchant=merchant, mode="test", amount=2500, currency="KES", method="cash")
    m = ("--merchant", merchant.id)
    code, out, err = cli("cash", "riders", "add", "Juma", "--phone", "+254712345678", *m)
    assert code == 0, err
    rider = out.strip()
    assert cli("cash", "assign", payment.id, "--rider", rider, *m)[0] == 0
    code, out, err = cli("cash", "collect", payment.id, "--rider", rider, "--receipt", "R-1", "--amount", "2500", *m)
    assert code == 0 and "KES 25.00" in out, err
    code, out, _ = cli("cash", "riders", "list", *m)
    assert code == 0 and rider in out and "KES 25.00" in out
    code, _, err = cli("cash", "remit", "--rider", rider, "--amount", "9999", "--currency", "KES", "--reference",
                       "slip-1", *m)
    assert code == 2 and "holds" in err
    assert cli("cash", "remit", "--rider", rider, "--amount", "2000", "--currency", "KES", "--reference", "slip-1",
               *m)[0] == 0
    today = date.today().isoformat()
    code, out, _ = cli("cash", "cash-up", "--rider", rider, "--day", today, *m)
    assert code == 1 and "difference 500" in out and "discrepancy" in out, "a short day exits 1"
    discrepancy = out.split("discrepancy ")[-1].split()[0]
    code, out, err = cli("cash", "discrepancies", "resolve", discrepancy, "--note", "Juma paid the rest", *m)
    assert code == 0 and "resolved" in out, err
    code, _, err = cli("cash", "cash-up", "--rider", rider, "--day", "25/11/2026", *m)
    assert code == 2 and "not a date" in err
    code, _, err = cli("cash", "collect", payment.id, "--rider", rider, "--receipt", "R-2", "--amount", "2500",
                       "--photo", "/nonexistent.jpg", *m)
    assert code == 2 and "cannot read /nonexistent.jpg" in err


def test_whatsapp_keygen_and_show(cli, merchant, monkeypatch):
    from lipwa.whatsapp.models import FlowEndpoint

    code, _, err = cli("whatsapp", "show", "--merchant", merchant.id)
    assert code == 2 and "lipwa whatsapp keygen" in err
    code, _, err = cli("whatsapp", "keygen", "--merchant", merchant.id)
    assert code == 2 and "app secret is required" in err
    monkeypatch.setenv("META_APP_SECRET", "meta-app-secret-0123456789")
    code, out, err = cli("whatsapp", "keygen", "--merchant", merchant.id, "--app-secret", "env:META_APP_SECRET")
    assert code == 0, err
    assert out.startswith("-----BEGIN PUBLIC KEY-----") and f"/flows/whatsapp/{merchant.id}" in out
    assert "PRIVATE" not in out and "meta-app-secret" not in out
    assert FlowEndpoint.objects.get(merchant=merchant).public_key_pem.strip() in out
    code, shown, _ = cli("whatsapp", "show", "--merchant", merchant.id)
    assert code == 0 and shown == out.rsplit("Upload", 1)[0]
    code, _, err = cli("whatsapp", "keygen", "--merchant", merchant.id, "--app-secret", "short")
    assert code == 2 and "at least 16 characters" in err


def test_help_names_every_command_and_the_exit_codes(cli):
    code, out, _ = cli("--help")
    assert code == 0
    for command in ("run", "simulate", "demo", "trigger", "listen", "payments", "refunds", "merchants", "keys",
                    "accounts", "cash", "rates", "reconcile", "ledger", "staff", "whatsapp"):
        assert command in out, command
    assert "Exit codes" in out
    code, out, _ = cli("payments", "--help")
    assert code == 0 and "confirm-offline" in out and "list" in out and "get" in out


def test_group_without_a_command_shows_its_help_and_exits_2(cli):
    code, out, err = cli("cash")
    assert code == 2 and "riders" in out


def test_unknown_option_is_one_line(cli):
    code, _, err = cli("payments", "list", "--frobnicate")
    assert code == 2 and err.startswith("error: No such option: --frobnicate") and err.count("\n") == 1


def test_keys_rotate_encryption(cli, merchant, settings):
    from lipwa.common.crypto import generate_key_b64
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    account = unreachable_mpesa_account(merchant)
    old = settings.LIPWA_ENCRYPTION_KEYS[0]
    settings.LIPWA_ENCRYPTION_KEYS = [generate_key_b64(), old]
    code, out, err = cli("keys", "rotate-encryption", "--dry-run")
    assert code == 0 and "merchants.ConnectorAccount.credentials_encrypted: 1 rows, would rewrite 1" in out, err
    code, out, _ = cli("keys", "rotate-encryption")
    assert code == 0 and "rewrote 1" in out
    settings.LIPWA_ENCRYPTION_KEYS = settings.LIPWA_ENCRYPTION_KEYS[:1]  # the old key can go now
    account.refresh_from_db()
    assert account.get_credentials()["shortcode"]
    assert cli("keys", "rotate-encryption", "--batch-size", "0")[0] == 2


def test_staff_create(cli, merchant):
    code, out, err = cli("staff", "create", "--merchant", merchant.id, "--email", "Amina@Example.com",
                         "--role", "operator")
    assert code == 0, err
    assert out.startswith(f"amina@example.com is operator at {merchant.id}") and "password: " in out
    code, _, err = cli("staff", "create", "--merchant", merchant.id, "--email", "not-an-email", "--role", "admin")
    assert code == 2 and "not an email address" in err
    code, _, err = cli("staff", "create", "--merchant", merchant.id, "--email", "a@b.co", "--role", "boss")
    assert code == 2 and "role must be one of" in err


def test_reconcile_import_shows_a_progress_bar_on_a_terminal(cli, merchant, monkeypatch):
    from pathlib import Path

    import lipwa.reconciliation

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: behave as on a terminal
    statement = Path(lipwa.reconciliation.__file__).parent / "tests" / "fixtures" / "statement__equity_ke.csv"
    code, out, err = cli("reconcile", "import", str(statement), "--merchant", merchant.id, "--format", "bank_csv",
                         "--preset", "equity_ke", "--currency", "KES", "--mode", "test", "--no-reconcile")
    assert code == 0 and "3 line(s), 3 new" in out, err
    assert "importing" in err, "the bar is drawn on stderr, so stdout stays parseable"
