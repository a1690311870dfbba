"""Process-wide caches for what a gateway hands out for a limited time: access tokens, encryption keys.

Gateways rate-limit their token endpoints and a token call adds a round trip to every charge, so each
client keeps what it fetched for as long as it stays good, shared by every thread of the process. Only one
thread fetches a given entry at a time (the others wait for it and then use what it fetched); entries do not
wait for each other, so a slow token call for one merchant never delays another.

Time comes from `lipwa.common.clock`, so tests move the clock instead of sleeping. This module imports
nothing of ours but `lipwa.common`: every connector may use it, and it can never reach a payment model.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from lipwa.common import clock

V = TypeVar("V")
Key = tuple[str, ...]


def secret_digest(secret: str) -> str:
    """The SHA-256 of a secret, for a cache key.

    The secret is part of the key (as a hash) so that someone who knows an app's client id, which is not
    secret, cannot borrow the token cached for it by entering a wrong secret; and no secret is kept in memory
    longer than the credentials themselves.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    refresh_at: datetime


class ExpiringCache(Generic[V]):
    """Values that stay good until a time the fetcher names (`refresh_at`), one per key.

    The primitive under `TokenCache`; used directly for things whose refresh time is not a token's, such as
    Airtel's public key (valid until a date Airtel gives, PROVIDERS.md §3.3).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Key, _Entry[V]] = {}
        # One lock per key, so concurrent callers for the same key trigger one fetch, not one each.
        self._fetch_locks: dict[Key, threading.Lock] = {}

    def get(self, key: Key, fetch: Callable[[], tuple[V, datetime]]) -> V:
        """The cached value, or `fetch()`'s (value, refresh_at) once no fresh one is cached."""
        value = self._fresh(key)
        if value is not None:
            return value
        with self._lock:
            fetch_lock = self._fetch_locks.setdefault(key, threading.Lock())
        with fetch_lock:
            value = self._fresh(key)  # another thread may have fetched it while this one waited
            if value is not None:
                return value
            return self._store(key, fetch)

    def renew(self, key: Key, fetch: Callable[[], tuple[V, datetime]]) -> V:
        """`fetch()`'s value even if a fresh one is cached, kept for later calls: proves the fetch still works
        (a credentials check) without wasting what it fetched."""
        with self._lock:
            fetch_lock = self._fetch_locks.setdefault(key, threading.Lock())
        with fetch_lock:
            return self._store(key, fetch)

    def _store(self, key: Key, fetch: Callable[[], tuple[V, datetime]]) -> V:
        value, refresh_at = fetch()
        with self._lock:
            self._entries[key] = _Entry(value, refresh_at)
        return value

    def drop(self, key: Key, value: V) -> None:
        """Forget `value`, unless another thread has already replaced it with a newer one."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.value == value:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _fresh(self, key: Key) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and clock.now() < entry.refresh_at:
            return entry.value
        return None


class TokenCache:
    """Bearer tokens, refreshed `refresh_margin_seconds` before they expire so that none dies in flight.

    A token that lives less than twice the margin is refreshed half-way through its life instead, so that a
    short-lived token is still used more than once.
    """

    def __init__(self, refresh_margin_seconds: int) -> None:
        self.refresh_margin_seconds = refresh_margin_seconds
        self._tokens: ExpiringCache[str] = ExpiringCache()

    def get(self, key: Key, fetch: Callable[[], tuple[str, int | datetime]]) -> str:
        """The cached token, or the one `fetch()` returns as (token, expiry) once no fresh one is cached.

        The expiry is what the gateway says: whole seconds from now (an OAuth `expires_in`), or the moment
        it expires (AzamPay's `expire`).
        """
        def fetch_with_refresh_time() -> tuple[str, datetime]:
            token, expiry = fetch()
            return token, self.refresh_at(expiry)

        return self._tokens.get(key, fetch_with_refresh_time)

    def renew(self, key: Key, fetch: Callable[[], tuple[str, int | datetime]]) -> str:
        """A token `fetch()` gets now, even if a cached one is still good; it replaces the cached one. A
        credentials check uses it, since a cached token says nothing about whether the gateway still accepts
        the credentials."""
        def fetch_with_refresh_time() -> tuple[str, datetime]:
            token, expiry = fetch()
            return token, self.refresh_at(expiry)

        return self._tokens.renew(key, fetch_with_refresh_time)

    def drop(self, key: Key, token: str) -> None:
        """Forget `token` after the gateway refused it, unless another thread has already replaced it."""
        self._tokens.drop(key, token)

    def clear(self) -> None:
        self._tokens.clear()

    def refresh_at(self, expiry: int | datetime) -> datetime:
        now = clock.now()
        if isinstance(expiry, datetime):
            margin = min(timedelta(seconds=self.refresh_margin_seconds), (expiry - now) / 2)
            return expiry - margin
        # Whole seconds stay whole: half of an odd lifetime rounds the margin down, as it always has.
        margin_seconds = min(self.refresh_margin_seconds, expiry // 2)
        return now + timedelta(seconds=expiry - margin_seconds)
