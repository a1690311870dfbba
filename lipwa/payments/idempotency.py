"""Idempotency-Key records with Stripe's semantics.

The first request with a key stores its response, and any repeat within 24 hours gets that response back.
A repeat with a different body gets 422 `idempotency_key_mismatch`; a repeat while the first is still
running gets 409. The record is committed before the request runs, so the unique constraint (merchant,
mode, key) arbitrates concurrent requests on any database. Responses with a 5xx status are not stored,
so that the caller can retry after our own fault.

A request whose process died (`kill -9`, a crash, an out-of-memory kill) never completes its record. Once the record
has been in flight for longer than any request can run (`LIPWA_IDEMPOTENCY_STALE_SECONDS`), a retry takes the key
over and runs again. What the dead request created is not created twice:
a service that creates something under a key notes it on the record in the same transaction
(`idempotency_resource_record`), and the retry returns that object (`idempotency_resource_recovered`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from lipwa.common import clock, crypto
from lipwa.common.errors import IdempotencyError, InvalidRequest
from lipwa.common.fixed_sql import row_update
from lipwa.merchants.models import Merchant

from .models import IdempotencyRecord

REPLAY_WINDOW = timedelta(hours=24)
KEY_MAX_LENGTH = 255
COMPLETION_FIELDS = ("in_flight", "response_status", "response_body", "response_content_type")
# The record of the keyed request running in this thread (it also carries what an abandoned earlier run created).
_current: ContextVar[IdempotencyRecord | None] = ContextVar("idempotency_record", default=None)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of what the request asks for; JSON bodies are canonicalised so key order does not matter."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def idempotency_begin(*, merchant: Merchant, mode: str, key: str, method: str, path: str, body: bytes
                      ) -> tuple[IdempotencyRecord | None, StoredResponse | None]:
    """Claim `key` for this request; returns (record, None) to proceed or (None, stored) to replay."""
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidRequest(f"Idempotency-Key must be 1 to {KEY_MAX_LENGTH} printable characters",
                             param="Idempotency-Key", code="idempotency_key_invalid")
    fingerprint = request_fingerprint(method, path, body)
    now = clock.now()

    def claim() -> IdempotencyRecord | None:
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    merchant=merchant, mode=mode, key=key, request_method=method, request_path=path,
                    request_hash=fingerprint, created_at=now, expires_at=now + REPLAY_WINDOW)
        except IntegrityError:
            return None

    # Claimed first: almost every key is new, so an expired record is only looked for when the key is taken.
    record = claim()
    if record is not None:
        return record, None
    existing = IdempotencyRecord.objects.filter(merchant=merchant, mode=mode, key=key).first()
    if existing is not None and existing.expires_at <= now:
        # Past its replay window the old record answers nothing: remove it and claim the key afresh.
        IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
        record = claim()
        if record is not None:
            return record, None
        existing = IdempotencyRecord.objects.filter(merchant=merchant, mode=mode, key=key).first()
    if existing is None:  # the holder gave up (5xx) between our insert and our read: ask for a retry
        raise IdempotencyError("a request with this Idempotency-Key just failed; retry it",
                               param="Idempotency-Key")
    if existing.request_hash != fingerprint:
        raise IdempotencyError(
            f"Idempotency-Key {key!r} was used for a different request ({existing.request_method} "
            f"{existing.request_path} with other parameters)", code="idempotency_key_mismatch",
            param="Idempotency-Key", status=422)
    if existing.in_flight and _take_over_if_abandoned(existing, now):
        return existing, None
    if existing.in_flight:
        raise IdempotencyError(f"a request with Idempotency-Key {key!r} is still being processed; retry later",
                               param="Idempotency-Key")
    body = crypto.decrypt_bytes(bytes(existing.response_body), settings.LIPWA_ENCRYPTION_KEYS,
                                associated_data=str(existing.pk).encode())
    return None, StoredResponse(existing.response_status, body, existing.response_content_type)


def idempotency_complete(*, record: IdempotencyRecord, status: int, body: bytes, content_type: str) -> None:
    if status >= 500:
        record.delete()
        return
    # Encrypted: a stored response may hold a secret shown once (a webhook signing secret, an API key).
    sealed = crypto.encrypt_bytes(body, settings.LIPWA_ENCRYPTION_KEYS, associated_data=str(record.pk).encode())
    record.in_flight, record.response_status, record.response_body = False, status, sealed
    record.response_content_type = content_type
    # Every keyed write ends here: fixed SQL (lipwa.common.fixed_sql), not compiled for each request.
    row_update(record, COMPLETION_FIELDS, missing_ok=True)


def idempotency_records_purge() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted


def _take_over_if_abandoned(record: IdempotencyRecord, now) -> bool:
    """True when `record` was claimed longer ago than any live request can run, and this request now holds it
    (the conditional update lets only one of several concurrent retries win)."""
    stale_after = timedelta(seconds=settings.LIPWA_IDEMPOTENCY_STALE_SECONDS)
    if record.created_at > now - stale_after:
        return False
    won = IdempotencyRecord.objects.filter(pk=record.pk, in_flight=True, created_at=record.created_at).update(
        created_at=now)
    record.created_at = now
    return won == 1


@contextmanager
def idempotency_scope(record: IdempotencyRecord | None) -> Iterator[None]:
    """Run a request under its Idempotency-Key record (the middleware does this for every keyed write)."""
    token = _current.set(record)
    try:
        yield
    finally:
        _current.reset(token)


def idempotency_resource_record(resource_id: str) -> None:
    """Note on the current request's record the object it created; call it inside the creating transaction, so
    the note and the object exist together or not at all."""
    record = _current.get()
    if record is not None:
        record.resource_id = resource_id
        row_update(record, ("resource_id",), missing_ok=True)


def idempotency_resource_recovered() -> str | None:
    """The object an earlier, abandoned run of the current request created, if it got that far."""
    record = _current.get()
    return (record.resource_id or None) if record is not None else None
