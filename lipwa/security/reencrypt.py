"""Rewrite every encrypted column under the newest encryption key, so that older keys can be retired.

Every ciphertext names the key that made it (lipwa.common.crypto), so a rotation is: put the new key first in
LIPWA_ENCRYPTION_KEYS (old ones after it), restart, run `manage.py reencrypt` until it reports nothing left, then
drop the old keys. Rows go in primary-key order, in batches, each batch in its own transaction with its rows
locked, so a concurrent write (a secret rotation, a completed idempotent request) is never overwritten with stale
data. Rows already under the newest key are left alone, so the service is idempotent and safe to re-run or to
interrupt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

from lipwa.common import crypto

log = logging.getLogger("lipwa.security")


@dataclass(frozen=True)
class EncryptedColumn:
    """A column holding lipwa.common.crypto ciphertexts, and the associated data that binds each to its row."""

    model_label: str
    field: str
    binary: bool
    associated_data: Callable[[models.Model], bytes]

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def label(self) -> str:
        return f"{self.model_label}.{self.field}"


# Every column that holds a ciphertext. A new encrypted column must be added here (a test checks that every
# model field named *_encrypted is listed).
# The associated data must be exactly what the model itself binds its ciphertexts with.
ENCRYPTED_COLUMNS: list[EncryptedColumn] = [
    EncryptedColumn("merchants.ConnectorAccount", "credentials_encrypted", False, lambda row: row.id.encode()),
    EncryptedColumn("webhooks_out.WebhookEndpoint", "secrets_encrypted", False, lambda row: row.id.encode()),
    EncryptedColumn("payments.IdempotencyRecord", "response_body", True, lambda row: str(row.pk).encode()),
    EncryptedColumn("whatsapp.FlowEndpoint", "secrets_encrypted", False, lambda row: row._binding()),
]


@dataclass
class ColumnReport:
    label: str
    scanned: int = 0
    rewritten: int = 0
    current: int = 0
    # Rows no configured key can decrypt: an old key was removed too early, or the data was tampered with.
    undecryptable: list[str] = field(default_factory=list)


def ciphertexts_reencrypt(*, keys: Sequence[str] | None = None, batch_size: int = 500, dry_run: bool = False,
                          columns: Sequence[EncryptedColumn] | None = None) -> list[ColumnReport]:
    """Re-encrypt every ciphertext not yet under the newest key; with dry_run, only count them."""
    keys = list(keys if keys is not None else settings.LIPWA_ENCRYPTION_KEYS)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    for key in keys or [""]:
        crypto.key_id(key)  # a missing or malformed key stops here, before any write
    installed = [column for column in (columns or ENCRYPTED_COLUMNS) if _installed(column)]
    return [_column_reencrypt(column, keys, batch_size, dry_run) for column in installed]


def _installed(column: EncryptedColumn) -> bool:
    try:
        column.model  # noqa: B018 - resolving the label is the check
    except LookupError:
        return False
    return True


def _column_reencrypt(column: EncryptedColumn, keys: list[str], batch_size: int, dry_run: bool) -> ColumnReport:
    report = ColumnReport(column.label)
    manager = column.model._default_manager
    last_pk = None
    while True:
        page = manager.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return report
        last_pk = ids[-1]
        with transaction.atomic():
            # The rows of one table in primary-key order, and nothing else: this cannot deadlock with a service.
            rows = manager.filter(pk__in=ids).order_by("pk")
            if not dry_run:
                rows = rows.select_for_update()
            for row in rows:
                _row_reencrypt(column, row, keys, dry_run, report)
        log.info("reencrypt %s: %d rows scanned so far", column.label, report.scanned)


def _row_reencrypt(column: EncryptedColumn, row: models.Model, keys: list[str], dry_run: bool,
                   report: ColumnReport) -> None:
    report.scanned += 1
    token = getattr(row, column.field)
    if column.binary and token is not None:
        token = bytes(token)
    if not crypto.needs_reencryption(token, keys):
        report.current += 1
        return
    associated_data = column.associated_data(row)
    try:
        if column.binary:
            sealed = crypto.encrypt_bytes(crypto.decrypt_bytes(token, keys, associated_data), keys, associated_data)
        else:
            sealed = crypto.encrypt_json(crypto.decrypt_json(token, keys, associated_data), keys, associated_data)
    except crypto.DecryptionError:
        report.undecryptable.append(str(row.pk))
        return
    if not dry_run:
        # update() rather than save(): nothing else about the row changes (no auto_now timestamps either).
        type(row)._default_manager.filter(pk=row.pk).update(**{column.field: sealed})
    report.rewritten += 1
