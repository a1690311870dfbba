"""`lipwa accounts add|list|configure`: connector accounts (gateway credentials, encrypted at rest)."""

from __future__ import annotations

import typer

from ..context import CommandFailed, Mode, django_setup, echo, env_or_value, merchant_of, operator

app = typer.Typer(help="Connector accounts: gateway credentials, limits and fees.", no_args_is_help=True)


def _settings(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise CommandFailed(f"--set expects FIELD=VALUE, got {pair!r}")
        values[field] = env_or_value(value, field)
    return values


@app.command()
def add(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…"),
        connector: str = typer.Option(..., help="connector id, e.g. mpesa"),
        mode: Mode = typer.Option(...),
        name: str = typer.Option(""),
        set_: list[str] = typer.Option([], "--set", metavar="FIELD=VALUE",
                                       help="a credential (repeatable); VALUE 'env:NAME' reads the environment "
                                            "variable NAME (keeps secrets out of shell history)")) -> None:
    """Add gateway credentials (encrypted at rest) and print the account id."""
    django_setup()
    from lipwa.merchants.services import connector_account_create

    account = connector_account_create(merchant=merchant_of(merchant), connector=connector, mode=mode.value,
                                       credentials=_settings(set_), name=name, actor=operator())
    echo(account.id)


def _pairs(values: list[str], keys: tuple[str, str], option: str) -> dict:
    table = {}
    for value in values:
        currency, sep, rest = value.partition("=")
        first, colon, second = rest.partition(":")
        if not sep or not colon or not all(part.isdigit() or part == "" for part in (first, second)):
            raise CommandFailed(f"{option} expects CUR={keys[0].upper()}:{keys[1].upper()} with integers, "
                                f"got {value!r}")
        table[currency] = {key: int(part) for key, part in zip(keys, (first, second), strict=True) if part}
    return table


@app.command()
def configure(account_id: str = typer.Argument(..., help="ca_…"),
              limit: list[str] = typer.Option([], metavar="CUR=MIN:MAX",
                                              help="minor units, e.g. KES=100:25000000 (leave a side empty for no "
                                                   "bound; repeatable)"),
              fee: list[str] = typer.Option([], metavar="CUR=FIXED:BPS",
                                            help="fixed minor units plus basis points, e.g. KES=0:150 for 1.5 %")
              ) -> None:
    """Set amount limits and fees per currency."""
    django_setup()
    from lipwa.common.errors import NotFound
    from lipwa.merchants.services import connector_account_configure, connector_account_get

    account = connector_account_get(account_id)
    if account is None:
        raise NotFound(f"no connector account {account_id}")
    limits = _pairs(limit, ("min", "max"), "--limit") if limit else None
    fees = _pairs(fee, ("fixed", "percent_bps"), "--fee") if fee else None
    account = connector_account_configure(account=account, limits=limits, fees=fees, actor=operator())
    echo(f"{account.id} limits={account.limits} fees={account.fees}")


@app.command("list")
def list_(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…")) -> None:
    """List a merchant's accounts with masked credentials."""
    django_setup()
    from lipwa.common.crypto import mask_secret
    from lipwa.connectors.registry import connector_class

    for account in merchant_of(merchant).connector_accounts.order_by("created_at"):
        secret = {f.name for f in connector_class(account.connector).credential_fields if f.secret}
        shown = {k: (mask_secret(v) if k in secret else v) for k, v in sorted(account.get_credentials().items())}
        state = "active" if account.is_active else "inactive"
        echo(f"{account.id}  {account.connector}  {account.mode}  {state}  {shown}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="accounts")
