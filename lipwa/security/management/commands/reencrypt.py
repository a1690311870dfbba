"""`manage.py reencrypt`: rewrite every stored ciphertext under the newest key of LIPWA_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lipwa.common import crypto
from lipwa.security.reencrypt import ciphertexts_reencrypt


class Command(BaseCommand):
    help = ("Re-encrypt connector credentials, webhook signing secrets and stored idempotent responses under the "
            "newest encryption key (the first of LIPWA_ENCRYPTION_KEYS). Idempotent; safe to re-run.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be rewritten; write nothing")

    def handle(self, *args, batch_size: int, dry_run: bool, **options):
        keys = settings.LIPWA_ENCRYPTION_KEYS
        try:
            ids = [crypto.key_id(key) for key in keys or [""]]
        except ValueError as exc:
            raise CommandError(f"LIPWA_ENCRYPTION_KEYS is not usable: {exc}") from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self.stdout.write(f"newest key {ids[0]}; older keys still accepted: {', '.join(ids[1:]) or 'none'}")
        reports = ciphertexts_reencrypt(keys=keys, batch_size=batch_size, dry_run=dry_run)
        verb = "would rewrite" if dry_run else "rewrote"
        failed = 0
        for report in reports:
            self.stdout.write(f"{report.label}: {report.scanned} rows, {verb} {report.rewritten}, "
                              f"{report.current} already current, {len(report.undecryptable)} undecryptable")
            failed += len(report.undecryptable)
            if report.undecryptable:
                shown = ", ".join(report.undecryptable[:20])
                self.stderr.write(f"  no configured key decrypts rows {shown}" +
                                  (" …" if len(report.undecryptable) > 20 else ""))
        if failed:
            raise CommandError(f"{failed} rows could not be decrypted with any configured key; keep the old keys "
                               "configured and investigate before retiring any of them")
        self.stdout.write(self.style.SUCCESS("done: nothing is left under an older key" if not dry_run else
                                             "dry run: nothing written"))
