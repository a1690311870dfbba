"""`lipwa run`, `lipwa simulate`, `lipwa demo`: the product, one simulator on its own, the demo key."""

from __future__ import annotations

import os
from functools import partial

import typer

from ..context import django_setup


def _default_port() -> int:
    raw = os.environ.get("PORT", "8000")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 65535 else 8000


PORT_HELP = "TCP port (1-65535)"


def run(port: int = typer.Option(_default_port(), min=1, max=65535, help=PORT_HELP + "; default $PORT or 8000"),
        host: str = typer.Option("127.0.0.1", help="address to listen on")) -> int:
    """Migrate, create the demo merchant, start web + worker + scheduler (what `make run` starts)."""
    from ..run import run as run_all

    return run_all(host=host, port=port, setup=partial(django_setup, quiet=False))


def simulate(connector: str = typer.Argument(..., help="connector id, e.g. mpesa"),
             port: int = typer.Option(..., min=1, max=65535, help=PORT_HELP),
             host: str = typer.Option("127.0.0.1", help="address to listen on")) -> int:
    """Serve one gateway simulator on its own port (no database needed)."""
    from ..run import simulate as simulate_one

    return simulate_one(connector=connector, host=host, port=port, setup=partial(django_setup, quiet=False))


def demo() -> int:
    """Create (or reuse) the demo merchant and print its test key."""
    from ..run import print_demo

    django_setup()
    return print_demo(os.environ.get("LIPWA_PUBLIC_URL", "http://127.0.0.1:8000"))


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(simulate)
    app.command()(demo)
