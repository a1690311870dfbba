"""What every `lipwa` command shares: Django set-up, the consoles, the operator's name and argument parsers.

Exit codes (also in `lipwa --help` and docs/cli.md): 0 ok, 1 the command ran and found a problem (ledger
drift, rejected import lines, a trigger that ended elsewhere), 2 bad input (arguments, files, unknown ids).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path

from rich.console import Console

from .devenv import ensure_dev_secrets

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class Mode(StrEnum):
    test = "test"
    live = "live"


class CommandFailed(Exception):
    """A user-facing failure: printed as one `error: …` line on stderr, with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def django_setup(settings_module: str = "config.settings.dev", *, quiet: bool = True) -> None:
    """Configure Django once; tests have already done it (pytest-django), so this is then a no-op.

    `quiet`: an operator command prints its own outcome and `error: …` line, so the services' log lines (JSON
    on stderr) are kept to errors unless LIPWA_LOG_LEVEL says otherwise. The servers (`run`, `simulate`) log
    normally; their child processes inherit the environment.
    """
    from django.conf import settings

    if settings.configured:
        import django

        django.setup()
        return
    if quiet:
        os.environ.setdefault("LIPWA_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    ensure_dev_secrets(Path(os.environ.get("LIPWA_VAR_DIR", Path.cwd() / "var")))
    import django

    django.setup()


def stdout() -> Console:
    """Rich output on stdout; wide when piped so ids in tables are never cut."""
    console = Console(file=sys.stdout, highlight=False)
    if not console.is_terminal:
        console = Console(file=sys.stdout, highlight=False, width=max(console.width, 160))
    return console


def stderr() -> Console:
    return Console(file=sys.stderr, highlight=False)


def echo(text: str = "") -> None:
    """Plain lines scripts parse (ids, statuses): no markup, no wrapping."""
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def operator() -> str:
    """Who runs the command, for the audit trail."""
    import getpass

    return f"cli:{getpass.getuser()}"


def merchant_of(merchant_id: str | None):
    """The merchant named by --merchant (or LIPWA_MERCHANT, which typer fills in)."""
    from lipwa.common.errors import NotFound
    from lipwa.merchants.models import Merchant

    if not merchant_id:
        raise CommandFailed("--merchant is required (or set LIPWA_MERCHANT)")
    merchant = Merchant.objects.filter(id=merchant_id).first()
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id}")
    return merchant


def merchant_or_demo(merchant_id: str | None):
    """--merchant, else the demo merchant `make run` creates (development commands: trigger, listen)."""
    from lipwa.merchants.models import Merchant

    if merchant_id:
        return merchant_of(merchant_id)
    demo = Merchant.objects.filter(name="Demo merchant").order_by("created_at").first()
    if demo is None:
        raise CommandFailed("--merchant is required (or set LIPWA_MERCHANT); there is no demo merchant yet "
                            "(`lipwa demo` creates it)")
    return demo


def read_file_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from None


def read_file_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"cannot read {path}: {exc}") from None


def env_or_value(value: str, what: str) -> str:
    """`env:NAME` reads the environment variable NAME, so secrets stay out of shell history."""
    if not value.startswith("env:"):
        return value
    name = value[4:]
    if name not in os.environ:
        raise CommandFailed(f"environment variable {name} (for {what}) is not set")
    return os.environ[name]
