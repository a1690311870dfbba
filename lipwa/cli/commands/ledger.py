"""`lipwa ledger verify`."""

from __future__ import annotations

import typer

from ..context import EXIT_FAILURE, django_setup, echo

app = typer.Typer(help="Ledger checks.", no_args_is_help=True)


@app.command()
def verify() -> int:
    """Recompute every balance from its transfers and compare (exit 1 on drift)."""
    django_setup()
    from lipwa.ledger.selectors import ledger_verify

    problems = ledger_verify()
    for problem in problems:
        echo(str(problem))
    echo("ledger consistent" if not problems else f"{len(problems)} problem(s)")
    return EXIT_FAILURE if problems else 0


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ledger")
