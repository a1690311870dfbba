"""The shared token cache: when it refreshes, and that one fetch serves every waiting caller."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from lipwa.common import clock
from lipwa.connectors.tokens import TokenCache, secret_digest

START = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    clock.freeze(START)
    yield
    clock.reset()


def test_seconds_from_now_refresh_a_margin_early_or_half_way_rounding_the_margin_down():
    cache = TokenCache(refresh_margin_seconds=300)
    assert cache.refresh_at(3599) == START + timedelta(seconds=3299)
    assert cache.refresh_at(61) == START + timedelta(seconds=31)  # margin 30, not 30.5


def test_a_moment_of_expiry_refreshes_a_margin_early_or_exactly_half_way():
    cache = TokenCache(refresh_margin_seconds=300)
    assert cache.refresh_at(START + timedelta(hours=1)) == START + timedelta(seconds=3300)
    assert cache.refresh_at(START + timedelta(seconds=61)) == START + timedelta(seconds=30.5)


def test_a_cached_token_is_reused_until_its_refresh_time():
    cache, issued = TokenCache(refresh_margin_seconds=30), iter(["one", "two"])
    fetch = lambda: (next(issued), 180)  # noqa: E731
    assert cache.get(("k",), fetch) == "one"
    clock.advance(149)
    assert cache.get(("k",), fetch) == "one"
    clock.advance(1)
    assert cache.get(("k",), fetch) == "two"


def test_drop_forgets_only_the_token_that_was_refused():
    cache, issued = TokenCache(refresh_margin_seconds=30), iter(["one", "two", "three"])
    fetch = lambda: (next(issued), 180)  # noqa: E731
    assert cache.get(("k",), fetch) == "one"
    cache.drop(("k",), "stale")  # another thread's older token: "one" stays
    assert cache.get(("k",), fetch) == "one"
    cache.drop(("k",), "one")
    assert cache.get(("k",), fetch) == "two"


def test_concurrent_callers_for_one_key_share_one_fetch():
    cache, calls, release = TokenCache(refresh_margin_seconds=30), [], threading.Event()

    def fetch():
        calls.append(1)
        release.wait(5)
        return f"token-{len(calls)}", 180

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(("k",), fetch))) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == ["token-1"] * 8 and len(calls) == 1


def test_secret_digest_is_sha256_hex():
    assert secret_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_renew_fetches_even_when_a_cached_token_is_good_and_keeps_what_it_fetched():
    cache, issued = TokenCache(refresh_margin_seconds=30), iter(["one", "two"])
    fetch = lambda: (next(issued), 180)  # noqa: E731
    assert cache.get(("k",), fetch) == "one"
    assert cache.renew(("k",), fetch) == "two"
    assert cache.get(("k",), fetch) == "two"  # no third fetch: the renewed token is cached


def test_a_refused_renewal_keeps_the_cached_token():
    cache = TokenCache(refresh_margin_seconds=30)
    assert cache.get(("k",), lambda: ("one", 180)) == "one"

    def refuse():
        raise PermissionError("refused")

    with pytest.raises(PermissionError):
        cache.renew(("k",), refuse)
    assert cache.get(("k",), refuse) == "one"
