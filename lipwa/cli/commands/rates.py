"""`lipwa rates set|import`: exchange rates for display (they never change money)."""

from __future__ import annotations

from datetime import datetime

import typer

from ..context import EXIT_FAILURE, CommandFailed, django_setup, echo, read_file_text, warn

app = typer.Typer(help="Exchange rates (display only).", no_args_is_help=True)


@app.command("set")
def set_(base: str = typer.Argument(..., help="ISO 4217, e.g. KES"), quote: str = typer.Argument(..., help="e.g. USD"),
         rate: str = typer.Argument(..., help="a decimal, e.g. 0.0077"),
         at: str | None = typer.Option(None, help="ISO 8601 date-time with timezone; default now")) -> None:
    """Set 1 BASE = RATE QUOTE from now (or --at)."""
    django_setup()
    from lipwa.fx.services import rate_set

    effective_at = None
    if at:
        try:
            effective_at = datetime.fromisoformat(at)
        except ValueError:
            raise CommandFailed(f"--at {at!r} is not an ISO 8601 date-time") from None
    echo(str(rate_set(base=base.upper(), quote=quote.upper(), rate=rate, effective_at=effective_at)))


@app.command("import")
def import_(file: str = typer.Argument(..., help="CSV: base,quote,rate[,effective_at]")) -> int:
    """Import rates from a CSV (all or nothing; one error per bad line)."""
    django_setup()
    from lipwa.fx.services import rates_import_csv

    imported, errors = rates_import_csv(read_file_text(file))
    for error in errors:
        warn(str(error))
    if errors:
        warn(f"error: nothing imported: {len(errors)} error(s)")
        return EXIT_FAILURE
    echo(f"{imported} rate(s) imported")
    return 0


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="rates")
