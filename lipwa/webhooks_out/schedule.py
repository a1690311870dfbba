"""When to try a failed delivery again, and when to give up (pure, so the schedule is tested as data)."""

from __future__ import annotations

from datetime import datetime, timedelta

# Waits after the 1st, 2nd, … failed attempt: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, then every 12 h.
RETRY_DELAYS_SECONDS = (60, 300, 1800, 7200, 18000, 36000)
RETRY_DELAY_AFTER_SECONDS = 12 * 3600
# Deliveries are retried for this long after their event (or after a manual replay).
RETRY_WINDOW = timedelta(days=3)


def retry_delay_seconds(failed_attempts: int) -> int:
    """The wait after the `failed_attempts`-th consecutive failure (counting from 1)."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    if failed_attempts <= len(RETRY_DELAYS_SECONDS):
        return RETRY_DELAYS_SECONDS[failed_attempts - 1]
    return RETRY_DELAY_AFTER_SECONDS


def next_attempt_at(*, retry_started_at: datetime, failed_attempts: int, now: datetime) -> datetime | None:
    """When to try again after a failure at `now`, or None to give up.

    The last try is clamped to the end of the window rather than skipped, so that a receiver that is down for
    the whole window has been tried exactly at its end, and "failing for 3 days" is then literally true.
    """
    deadline = retry_started_at + RETRY_WINDOW
    if now >= deadline:
        return None
    return min(now + timedelta(seconds=retry_delay_seconds(failed_attempts)), deadline)
