"""Ids: prefixed, 26 Crockford characters, unique and time-sortable even when minted in a tight loop."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.common import ids
from lipwa.common.ids import PREFIXES, has_prefix, new_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@pytest.fixture
def restore_id_state():
    with ids._lock:
        saved = ids._last_ms, ids._last_random
    yield
    with ids._lock:
        # Never move the state backwards: ids minted during the test must stay below later ones.
        ids._last_ms = max(ids._last_ms, saved[0])


@pytest.mark.parametrize("prefix", sorted(set(PREFIXES.values())))
def test_shape(prefix):
    value = new_id(prefix)
    head, _, body = value.partition("_")
    assert head == prefix
    assert len(body) == 26
    assert len(value) == len(prefix) + 27
    assert set(body) <= set(CROCKFORD)
    assert has_prefix(value, prefix)


def test_known_prefixes():
    assert PREFIXES["payment"] == "pay"
    assert PREFIXES["attempt"] == "att"
    assert PREFIXES["refund"] == "rfd"
    assert PREFIXES["event"] == "evt"
    assert len(set(PREFIXES.values())) == len(PREFIXES)


def test_crockford_alphabet_sorts_like_its_values():
    # String order equals numeric order only because the alphabet is in ASCII order.
    assert list(ids._ALPHABET) == sorted(ids._ALPHABET)
    assert ids._ALPHABET == CROCKFORD


@given(st.integers(min_value=0, max_value=(1 << 80) - 1), st.integers(min_value=0, max_value=(1 << 80) - 1))
def test_encoding_preserves_order(a, b):
    assert (ids._encode(a, 16) < ids._encode(b, 16)) == (a < b)
    assert len(ids._encode(a, 16)) == 16


def _decode(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + CROCKFORD.index(char)
    return value


def test_time_part_is_the_current_millisecond():
    before = max(time.time_ns() // 1_000_000, ids._last_ms)  # the generator never goes backwards
    body = new_id("pay")[4:]
    after = max(time.time_ns() // 1_000_000, ids._last_ms)
    assert before <= _decode(body[:10]) <= after


@pytest.mark.parametrize(("value", "prefix"), [
    ("pay_01HZY3M6Q8W4J7T2V5X9C0D1E", "pay"),  # 25 characters
    ("pay_01HZY3M6Q8W4J7T2V5X9C0D1EFG", "pay"),  # 27 characters
    ("pay01HZY3M6Q8W4J7T2V5X9C0D1EF", "pay"),
    ("att_01HZY3M6Q8W4J7T2V5X9C0D1EF", "pay"),
    ("pay_01hzy3m6q8w4j7t2v5x9c0d1ef", "pay"),  # lower case is not what we mint
    ("pay_01HZY3M6Q8W4J7T2V5X9C0D1E!", "pay"),
    ("pay_01HZY3M6Q8W4J7T2V5X9C0D1EI", "pay"),  # I, L, O, U are not Crockford characters
    ("pay_" + " " * 26, "pay"),
    ("", "pay"),
    (None, "pay"),
    (12345, "pay"),
])
def test_has_prefix_refuses(value, prefix):
    assert not has_prefix(value, prefix)


def test_has_prefix_does_not_confuse_prefixes():
    value = new_id("ca")
    assert has_prefix(value, "ca")
    assert not has_prefix(value, "c")
    assert not has_prefix(value, "pay")
    assert not has_prefix(new_id("pay"), "pa")


def test_tight_loop_ids_are_strictly_increasing_and_unique():
    minted = [new_id("pay") for _ in range(10_000)]
    assert len(set(minted)) == len(minted)
    assert all(a < b for a, b in zip(minted, minted[1:], strict=False))


def test_ids_with_different_prefixes_share_one_ordering():
    bodies = [new_id(prefix)[len(prefix) + 1:] for prefix in ["pay", "att", "evt", "ca"] * 500]
    assert all(a < b for a, b in zip(bodies, bodies[1:], strict=False))


def test_ids_from_many_threads_are_unique():
    per_thread, n_threads = 2_000, 8
    results: list[list[str]] = [[] for _ in range(n_threads)]
    barrier = threading.Barrier(n_threads)

    def mint(index: int) -> None:
        barrier.wait()
        results[index].extend(new_id("evt") for _ in range(per_thread))

    threads = [threading.Thread(target=mint, args=(i,)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [value for chunk in results for value in chunk]
    assert len(everything) == per_thread * n_threads
    assert len(set(everything)) == len(everything)
    for chunk in results:  # each thread sees its own ids in increasing order
        assert all(a < b for a, b in zip(chunk, chunk[1:], strict=False))


def test_ids_stay_ordered_when_the_wall_clock_steps_back(monkeypatch, restore_id_state):
    first = new_id("pay")
    real = time.time_ns
    monkeypatch.setattr(ids.time, "time_ns", lambda: real() - 3_600 * 10**9)  # an NTP step of one hour back
    later = [new_id("pay") for _ in range(100)]
    assert all(a < b for a, b in zip([first, *later], later, strict=False))


def test_ids_stay_ordered_when_the_random_part_overflows(monkeypatch, restore_id_state):
    with ids._lock:
        stuck_ms = max(ids._last_ms, time.time_ns() // 1_000_000)
        ids._last_ms = stuck_ms
        ids._last_random = (1 << 80) - 3  # a and b take the last two values
    monkeypatch.setattr(ids.time, "time_ns", lambda: stuck_ms * 1_000_000)  # every call lands in one millisecond
    a, b, c = new_id("pay"), new_id("pay"), new_id("pay")
    assert a < b < c, "wrapping the random part to zero would make c sort first"
    assert _decode(a[4:14]) == _decode(b[4:14]) == stuck_ms
    assert _decode(c[4:14]) == stuck_ms + 1


def test_unguessable_ids_of_one_millisecond_share_nothing_but_the_time():
    from lipwa.common.ids import new_unguessable_id

    minted = [new_unguessable_id("cs") for _ in range(2_000)]
    assert all(has_prefix(value, "cs") for value in minted) and len(set(minted)) == len(minted)
    randoms = [int("".join(str(CROCKFORD.index(ch)).zfill(2) for ch in value[-16:])) for value in minted]
    # Consecutive ids minted by new_id differ by one in the random part; these are fresh each time.
    assert not any(abs(a - b) <= 1 for a, b in zip(randoms, randoms[1:], strict=False))
    before = new_id("pay")[4:14]
    assert before <= new_unguessable_id("cs")[3:13]  # still sortable by millisecond

