"""`lipwa keys create|revoke|rotate-encryption`: API keys (printed once) and re-encryption under a new key."""

from __future__ import annotations

import typer

from ..context import EXIT_FAILURE, CommandFailed, Mode, django_setup, echo, merchant_of, warn

app = typer.Typer(help="Create or revoke API keys; re-encrypt stored secrets under a new encryption key.",
                  no_args_is_help=True)


@app.command()
def create(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…"),
           mode: Mode = typer.Option(..., help="test keys reach simulators and sandboxes only"),
           name: str = typer.Option("", help="a label for the key")) -> None:
    """Create a key; its plaintext is printed once and never stored."""
    django_setup()
    from lipwa.merchants.services import api_key_create

    key, raw = api_key_create(merchant=merchant_of(merchant), mode=mode.value, name=name)
    echo(f"{key.id}\n{raw}\nStore this key now: lipwa keeps only its hash and cannot show it again.")


@app.command()
def revoke(key_id: str = typer.Argument(..., help="key_…")) -> None:
    """Revoke a key by its id."""
    django_setup()
    from lipwa.merchants.services import api_key_revoke

    key = api_key_revoke(key_id=key_id)
    echo(f"{key.id} ({key.masked}) revoked at {key.revoked_at.isoformat()}")


@app.command("rotate-encryption")
def rotate_encryption(batch_size: int = typer.Option(500, min=1, help="rows per transaction"),
                      dry_run: bool = typer.Option(False, "--dry-run", help="count what would be rewritten")) -> int:
    """Re-encrypt every stored secret under the newest key of LIPWA_ENCRYPTION_KEYS (exit 1 if some row no
    configured key decrypts). Idempotent; safe to re-run."""
    django_setup()
    from django.conf import settings

    from lipwa.common import crypto
    from lipwa.security.reencrypt import ciphertexts_reencrypt

    try:
        ids = [crypto.key_id(key) for key in settings.LIPWA_ENCRYPTION_KEYS]
    except ValueError as exc:
        raise CommandFailed(f"LIPWA_ENCRYPTION_KEYS is not usable: {exc}") from None
    echo(f"newest key {ids[0]}; older keys still accepted: {', '.join(ids[1:]) or 'none'}")
    failed = 0
    for report in ciphertexts_reencrypt(batch_size=batch_size, dry_run=dry_run):
        verb = "would rewrite" if dry_run else "rewrote"
        echo(f"{report.label}: {report.scanned} rows, {verb} {report.rewritten}, {report.current} already current, "
             f"{len(report.undecryptable)} undecryptable")
        failed += len(report.undecryptable)
    if failed:
        warn(f"error: {failed} row(s) no configured key decrypts: keep the old keys and investigate")
        return EXIT_FAILURE
    return 0


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="keys")
