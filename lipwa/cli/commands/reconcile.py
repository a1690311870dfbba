"""`lipwa reconcile import`: a statement file (up to 20 MiB), with a progress bar on a terminal."""

from __future__ import annotations

import inspect
import os
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ..context import CommandFailed, Mode, django_setup, echo, merchant_of, operator, stderr

app = typer.Typer(help="Statements and reconciliation.", no_args_is_help=True)

CHUNK_BYTES = 256 * 1024


@contextmanager
def _progress():
    """A bar on stderr (stdout stays parseable); nothing at all when stderr is not a terminal."""
    console = stderr()
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        yield progress


def _read(path: str, progress: Progress) -> bytes:
    try:
        total = os.path.getsize(path)
        task = progress.add_task("reading", total=total)
        parts = []
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                parts.append(chunk)
                progress.advance(task, len(chunk))
        return b"".join(parts)
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from None


@app.command("import")
def import_(file: str = typer.Argument(..., help="the statement file"),
            merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…"),
            format: str | None = typer.Option(None, "--format", help="mpesa_csv, bank_csv, mt940 or camt053"),
            preset: str | None = typer.Option(None, help="bank_csv column mapping, e.g. equity_ke"),
            currency: str | None = typer.Option(None, help="ISO 4217, when the file does not say"),
            mode: Mode = typer.Option(Mode.live),
            no_reconcile: bool = typer.Option(False, "--no-reconcile", help="only import the lines")) -> None:
    """Import a statement (all lines or none), then reconcile it."""
    django_setup()
    from lipwa.reconciliation.services import statement_import, statement_reconcile

    if format is None:
        raise CommandFailed("--format is required: mpesa_csv, bank_csv, mt940 or camt053")
    owner = merchant_of(merchant)
    common = {"merchant": owner, "mode": mode.value, "format": format, "filename": os.path.basename(file),
              "preset": preset, "currency": currency, "imported_by": operator()}
    parameters = inspect.signature(statement_import).parameters
    with _progress() as progress:
        if "stream" in parameters and "on_progress" in parameters:
            # Parsed as it is read: the bar follows the parse, and a 20 MiB file is never held twice.
            try:
                handle = open(file, "rb")  # noqa: SIM115 - closed by the with below
            except OSError as exc:
                raise CommandFailed(f"cannot read {file}: {exc.strerror}") from None
            with handle:
                task = progress.add_task("importing", total=os.fstat(handle.fileno()).st_size)
                statement = statement_import(
                    **common, stream=handle,
                    on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        else:
            statement = statement_import(**common, data=_read(file, progress))
    echo(f"{statement.id}: {statement.lines_in_file} line(s), {statement.lines_new} new, "
         f"{statement.lines_known} already imported")
    if not no_reconcile:
        outcome = statement_reconcile(statement=statement)
        echo(f"{outcome['matched']} matched, {outcome['confirmed']} bank transfer(s) confirmed")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="reconcile")
