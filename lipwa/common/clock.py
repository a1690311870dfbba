"""The one source of "now" for money code; tests move it instead of sleeping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)
_frozen: datetime | None = None
# A test clock's time for the work running in this thread only (lipwa.testclocks); other requests keep real time.
_override: ContextVar[datetime | None] = ContextVar("lipwa_clock_override", default=None)


def now() -> datetime:
    overridden = _override.get()
    if overridden is not None:
        return overridden
    with _lock:
        if _frozen is not None:
            return _frozen
        return datetime.now(UTC) + _offset


def advance(seconds: float) -> None:
    """Move the clock forward (for tests and the test-clock tooling)."""
    global _offset, _frozen
    with _lock:
        if _frozen is not None:
            _frozen += timedelta(seconds=seconds)
        else:
            _offset += timedelta(seconds=seconds)


def freeze(at: datetime | None = None) -> None:
    """Stop the clock at `at` (or at the current moment); `at` must be timezone-aware and is kept in UTC."""
    global _frozen
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        # A naive datetime would make now() naive too, and comparing it with aware database values fails later.
        raise ValueError("freeze() needs a timezone-aware datetime")
    with _lock:
        _frozen = at.astimezone(UTC) if at is not None else datetime.now(UTC) + _offset


def reset() -> None:
    global _offset, _frozen
    with _lock:
        _offset = timedelta(0)
        _frozen = None


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Within the block, now() is `moment` in this thread (and its context) only: a test clock runs
    time-driven work as of its own time without moving anyone else's clock."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("at() needs a timezone-aware datetime")
    token = _override.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _override.reset(token)
