"""`lipwa merchants create|configure`."""

from __future__ import annotations

import typer

from ..context import CommandFailed, django_setup, echo, merchant_of, operator

app = typer.Typer(help="Create and configure merchants.", no_args_is_help=True)


@app.command()
def create(name: str = typer.Argument(..., help="the merchant's display name")) -> None:
    """Create a merchant and print its id."""
    django_setup()
    from lipwa.merchants.services import merchant_create

    echo(merchant_create(name=name).id)


def _thresholds(values: list[str]) -> dict[str, int]:
    thresholds = {}
    for value in values:
        currency, sep, amount = value.partition("=")
        if not sep or not amount.isdigit():
            raise CommandFailed(f"--refund-approval-above expects CUR=AMOUNT, got {value!r}")
        thresholds[currency] = int(amount)
    return thresholds


@app.command()
def configure(
    merchant_id: str = typer.Argument(..., help="mer_…"),
    settlement_currency: str | None = typer.Option(None, help="ISO 4217 code; '' for none"),
    refund_approval_above: list[str] = typer.Option(
        [], metavar="CUR=AMOUNT", help="refunds above AMOUNT minor units in CUR need a second person, e.g. "
                                       "KES=500000 (repeatable)"),
) -> None:
    """Settlement currency and refund approval thresholds."""
    django_setup()
    from lipwa.merchants.services import merchant_configure

    thresholds = _thresholds(refund_approval_above) if refund_approval_above else None
    merchant = merchant_configure(merchant=merchant_of(merchant_id), settlement_currency=settlement_currency,
                                  refund_approval_thresholds=thresholds, actor=operator())
    echo(f"{merchant.id} settlement_currency={merchant.settlement_currency or '-'} "
         f"refund_approval_thresholds={merchant.refund_approval_thresholds}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="merchants")
