"""`lipwa payments confirm-offline` and `lipwa rates set|import`: the operator's side of bank transfers and FX."""

from __future__ import annotations

import pytest

from lipwa.cli.main import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def lipwa(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def transfer(merchant):
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create
    from lipwa.payments.services import payment_create

    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))
    return payment_create(merchant=merchant, mode="test", amount=5000, currency="KES", method="bank_transfer")


def test_confirm_offline(lipwa, transfer):
    from lipwa.audit.services import audit_trail

    code, out, err = lipwa("payments", "confirm-offline", transfer.id, "--by", "amina", "--reference", "FT77",
                           "--amount", "4000")
    assert code == 2 and "amount" in err
    transfer.refresh_from_db()
    assert transfer.status == "requires_action"
    code, out, err = lipwa("payments", "confirm-offline", transfer.id, "--by", "amina", "--reference", "FT77",
                           "--amount", "5000")
    assert code == 0, err
    assert out.strip() == f"{transfer.id} succeeded"
    [entry] = audit_trail(object_id=transfer.id)
    assert entry.actor == "user:amina" and entry.action == "payment.manual_confirm"
    code, _, err = lipwa("payments", "confirm-offline", transfer.id, "--by", "bob", "--reference", "FT78")
    assert code == 2 and "succeeded" in err
    code, _, err = lipwa("payments", "confirm-offline", "pay_unknown", "--by", "bob", "--reference", "FT78")
    assert code == 2 and "no payment" in err


def test_confirm_offline_requires_a_reference(lipwa, transfer):
    code, _, _ = lipwa("payments", "confirm-offline", transfer.id, "--by", "amina")
    assert code == 2  # a required option is missing
    code, _, err = lipwa("payments", "confirm-offline", transfer.id, "--by", "amina", "--reference", " ")
    assert code == 2 and "reference" in err


def test_rates_set_and_refusals(lipwa):
    from lipwa.fx.models import ExchangeRate

    code, out, err = lipwa("rates", "set", "KES", "USD", "0.0077")
    assert code == 0, err
    assert "1 KES = 0.0077 USD" in out
    for bad in (["KES", "USD", "0"], ["KES", "USD", "-1"], ["KES", "USD", "x"], ["KES", "KES", "1"],
                ["KES", "ABC", "1"], ["KES", "USD", "1", "--at", "tomorrow"],
                ["KES", "USD", "1", "--at", "2025-01-01T00:00:00"]):
        code, _, err = lipwa("rates", "set", *bad)
        assert code == 2 and err.startswith("error: "), bad
    assert ExchangeRate.objects.count() == 1


def test_rates_import(lipwa, tmp_path):
    from lipwa.fx.models import ExchangeRate

    bad = tmp_path / "bad.csv"
    bad.write_text("base,quote,rate\nKES,USD,0.0077\nTZS,USD,0\n")
    code, out, err = lipwa("rates", "import", str(bad))
    assert code == 1 and "line 3:" in err and "nothing imported" in err
    assert not ExchangeRate.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text("base,quote,rate,effective_at\nKES,USD,0.0077,2025-01-01T00:00:00Z\nTZS,USD,0.00037,\n")
    code, out, err = lipwa("rates", "import", str(good))
    assert code == 0 and out.strip() == "2 rate(s) imported", err
    code, _, err = lipwa("rates", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err
