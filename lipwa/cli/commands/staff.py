"""`lipwa staff create`: a dashboard login with a role at a merchant."""

from __future__ import annotations

import typer

from ..context import CommandFailed, django_setup, echo, env_or_value, operator

app = typer.Typer(help="Dashboard staff.", no_args_is_help=True)


@app.command()
def create(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…"),
           email: str = typer.Option(..., help="the login (lower-cased)"),
           role: str = typer.Option(..., help="viewer, operator or admin"),
           password: str | None = typer.Option(None, help="at least 10 characters, or env:NAME; generated and "
                                                           "printed once when omitted")) -> None:
    """Give EMAIL a role at a merchant, creating the user if needed."""
    django_setup()
    try:
        from lipwa.dashboard.services import staff_create
    except (ImportError, RuntimeError):  # RuntimeError: the dashboard app is not installed in these settings
        raise CommandFailed("the dashboard is not installed in this deployment") from None
    secret = env_or_value(password, "--password") if password is not None else None
    membership, created_password = staff_create(merchant_id=merchant, email=email, role=role, password=secret,
                                                actor=operator())
    echo(f"{email.strip().lower()} is {membership.role} at {merchant}")
    if created_password and password is None:
        echo(f"password: {created_password}\nStore it now: it is not shown again.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="staff")
