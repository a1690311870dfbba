"""Process-wide caches for Airtel access tokens and encryption keys, refreshed by `lipwa.common.clock`.

Airtel's tokens live about three minutes (PROVIDERS.md §3.2) and its public key until `valid_upto` (§3.3);
fetching either for every call is slow and runs into rate limits. Only one thread fetches a given entry at a
time (the others wait for it); entries do not wait for each other, so a slow token call for one merchant never
delays another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from lipwa.common import clock

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    refresh_at: datetime


class ExpiringCache(Generic[V]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, ...], _Entry[V]] = {}
        self._fetch_locks: dict[tuple[str, ...], threading.Lock] = {}

    def get(self, key: tuple[str, ...], fetch: Callable[[], tuple[V, datetime]]) -> V:
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
            value, refresh_at = fetch()
            with self._lock:
                self._entries[key] = _Entry(value, refresh_at)
            return value

    def drop(self, key: tuple[str, ...], value: V) -> None:
        """Forget `value`, unless another thread has already replaced it with a newer one."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.value == value:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _fresh(self, key: tuple[str, ...]) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and clock.now() < entry.refresh_at:
            return entry.value
        return None
