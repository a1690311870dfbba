"""The clock: one source of "now", always aware UTC, movable by tests without sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.common import clock

EAT = timezone(timedelta(hours=3), "EAT")


@pytest.fixture(autouse=True)
def _fresh_clock():
    clock.reset()
    yield
    clock.reset()


def _assert_aware_utc(value: datetime) -> None:
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


def test_now_is_aware_utc_and_close_to_the_wall_clock():
    value = clock.now()
    _assert_aware_utc(value)
    assert abs(value - datetime.now(UTC)) < timedelta(seconds=5)


def test_advance_moves_now_forward():
    before = datetime.now(UTC)
    clock.advance(3600)
    value = clock.now()
    _assert_aware_utc(value)
    assert timedelta(seconds=3599) < value - before < timedelta(seconds=3605)


def test_advance_accumulates_and_accepts_fractions_and_negatives():
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    clock.advance(10)
    clock.advance(0.5)
    clock.advance(-2)
    assert clock.now() == datetime(2025, 1, 1, 0, 0, 8, 500_000, tzinfo=UTC)


def test_freeze_at_a_moment_holds_still():
    moment = datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC)
    clock.freeze(moment)
    assert clock.now() == moment
    assert clock.now() == moment
    _assert_aware_utc(clock.now())


def test_freeze_without_argument_keeps_the_offset():
    clock.advance(86_400)
    clock.freeze()
    frozen = clock.now()
    assert frozen == clock.now()
    assert timedelta(hours=23) < frozen - datetime.now(UTC) < timedelta(hours=25)


def test_advance_moves_a_frozen_clock():
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    clock.advance(90)
    assert clock.now() == datetime(2025, 1, 1, 0, 1, 30, tzinfo=UTC)


def test_freeze_converts_other_timezones_to_utc():
    clock.freeze(datetime(2025, 1, 1, 3, 0, tzinfo=EAT))
    value = clock.now()
    assert value == datetime(2025, 1, 1, 0, 0, tzinfo=UTC)
    assert value.tzinfo is UTC


def test_freeze_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        clock.freeze(datetime(2025, 1, 1))
    _assert_aware_utc(clock.now())


def test_reset_undoes_freeze_and_advance():
    clock.advance(10_000)
    clock.freeze(datetime(2000, 1, 1, tzinfo=UTC))
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    clock.reset()  # idempotent
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_advance_is_thread_safe():
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    n_threads, per_thread = 8, 2_000
    barrier = threading.Barrier(n_threads)

    def tick() -> None:
        barrier.wait()
        for _ in range(per_thread):
            clock.advance(1)

    threads = [threading.Thread(target=tick) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=n_threads * per_thread)


def test_advance_on_a_running_clock_is_thread_safe():
    n_threads, per_thread = 8, 1_000
    barrier = threading.Barrier(n_threads)

    def tick() -> None:
        barrier.wait()
        for _ in range(per_thread):
            clock.advance(60)

    start = datetime.now(UTC)
    threads = [threading.Thread(target=tick) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = timedelta(seconds=60 * n_threads * per_thread)
    assert expected <= clock.now() - start < expected + timedelta(seconds=5)


@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), max_size=20))
def test_frozen_clock_moves_by_the_sum_of_advances(steps):
    clock.reset()
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    clock.freeze(origin)
    for step in steps:
        clock.advance(step)
    assert clock.now() == origin + timedelta(seconds=sum(steps))
    _assert_aware_utc(clock.now())
    clock.reset()
