"""Rate limits per API key and per client IP: 429 with Retry-After and the standard error body."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from lipwa.common import clock
from lipwa.merchants.services import api_key_create
from lipwa.security import ratelimit
from lipwa.security.models import RateLimitCounter
from lipwa.security.ratelimit import client_ip, rate_limit_hit

pytestmark = pytest.mark.django_db


def _forget_counts():
    # Only the database's counters: clearing a Redis cache would flush a whole Redis database others may share.
    RateLimitCounter.objects.all().delete()


@pytest.fixture(autouse=True)
def _limits(settings):
    assert "ratelimit" not in settings.CACHES, "these tests count in the database (LIPWA_REDIS_URL unset)"
    _forget_counts()
    clock.freeze(clock.now().replace(second=0, microsecond=0))
    settings.LIPWA_RATE_LIMIT_WINDOW_SECONDS = 60
    settings.LIPWA_RATE_LIMIT_PER_KEY = 3
    settings.LIPWA_RATE_LIMIT_PER_IP = 5
    yield
    _forget_counts()


def _get(client: Client, key: str | None = None, path: str = "/v1/balance", **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(path, **headers, **extra)


def test_a_key_over_its_limit_gets_429_with_retry_after_until_the_window_ends(test_key):
    client = Client()
    clock.advance(15)
    assert [_get(client, test_key).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(client, test_key)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    error = refused.json()["error"]
    assert error["type"] == "rate_limit_error" and error["code"] == "rate_limited"
    assert error["request_id"] == refused["Request-Id"]
    assert "at most 3 per 60 s" in error["message"]

    clock.advance(44)
    assert _get(client, test_key).status_code == 429
    clock.advance(1)  # a new window
    assert _get(client, test_key).status_code == 200


def test_keys_are_limited_separately(merchant, test_key):
    _, other_key = api_key_create(merchant=merchant, mode="test", name="other")
    client = Client()
    for _ in range(3):
        _get(client, test_key)
    assert _get(client, test_key).status_code == 429
    assert _get(client, other_key).status_code == 200


def test_an_address_over_its_limit_is_refused_whatever_the_key(merchant, settings):
    settings.LIPWA_RATE_LIMIT_PER_KEY = 0  # off: only the address counts here
    keys = [api_key_create(merchant=merchant, mode="test")[1] for _ in range(6)]
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert [_get(client, key).status_code for key in keys[:5]] == [200] * 5
    refused = _get(client, keys[5])
    assert refused.status_code == 429 and "from this address" in refused.json()["error"]["message"]
    assert int(refused["Retry-After"]) == 60
    assert _get(Client(REMOTE_ADDR="198.51.100.8"), keys[5]).status_code == 200


def test_guessing_keys_is_limited_by_address():
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [_get(client, f"sk_test_guess{i:020d}").status_code for i in range(6)]
    assert answers == [401] * 5 + [429]


def test_the_checkout_page_is_limited_by_address_and_callbacks_never(settings):
    client = Client(REMOTE_ADDR="203.0.113.10")
    statuses = [client.get("/pay/cs_missing").status_code for _ in range(6)]
    assert statuses[:5] == [404] * 5 and statuses[5] == 429
    assert client.post("/hooks/daraja/ca_missing/token/", b"{}", content_type="application/json").status_code != 429


def test_proxies_are_trusted_only_as_configured(rf, settings):
    request = rf.get("/v1/balance", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.44")
    settings.LIPWA_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.LIPWA_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.44"  # the spoofable first entry is ignored
    settings.LIPWA_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: the header is not trusted


def test_a_zero_limit_switches_the_limit_off(test_key, settings):
    settings.LIPWA_RATE_LIMIT_PER_KEY = 0
    settings.LIPWA_RATE_LIMIT_PER_IP = 0
    client = Client()
    assert {_get(client, test_key).status_code for _ in range(10)} == {200}


def test_a_request_costs_one_statement_per_limit(test_key):
    from django.test.utils import CaptureQueriesContext

    client = Client()
    _get(client, test_key)  # the first request of this process's window may also prune
    with CaptureQueriesContext(connection) as queries:
        assert rate_limit_hit("key", test_key, 3, 60) is None
    assert [q["sql"].split(" ", 1)[0] for q in queries.captured_queries] == ["INSERT"]


def test_counters_of_ended_windows_are_deleted_now_and_then(test_key, monkeypatch):
    monkeypatch.setattr(ratelimit, "_next_prune_at", 0.0)
    _get(Client(), test_key)
    assert RateLimitCounter.objects.count() == 2  # this window's: the key's and the address's
    clock.advance(30)
    _get(Client(), test_key)
    assert RateLimitCounter.objects.count() == 2  # the same window: counted, nothing pruned
    clock.advance(30)  # the next window
    _get(Client(), test_key)
    ended = clock.now().timestamp()
    assert set(RateLimitCounter.objects.values_list("window_end", flat=True)) == {ended + 60}


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_more_than_the_limit():
    """Threads with connections of their own hit one key at once: exactly `limit` get through, on SQLite and on
    PostgreSQL (where concurrent UPSERTs of a new window queue on its row)."""
    limit, threads_count, hits_each = 25, 8, 10
    allowed: list[int] = []
    barrier = threading.Barrier(threads_count)
    lock = threading.Lock()

    def hit_many() -> None:
        try:
            barrier.wait()
            mine = sum(rate_limit_hit("key", "sk_test_concurrent", limit, 60) is None for _ in range(hits_each))
            with lock:
                allowed.append(mine)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hit_many) for _ in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(allowed) == threads_count
    assert sum(allowed) == limit
    assert RateLimitCounter.objects.get().hits == threads_count * hits_each


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_the_same_limits_hold_with_counters_in_redis(test_key, settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": f"lipwa-test-{os.getpid()}-{time.time_ns()}"}}  # fresh counters, nobody else's keys
    client = Client()
    assert [_get(client, test_key).status_code for _ in range(4)] == [200, 200, 200, 429]
    clock.advance(60)
    assert _get(client, test_key).status_code == 200


def test_an_unreachable_counter_store_lets_requests_through(test_key, settings, caplog):
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    assert _get(Client(), test_key).status_code == 200
    assert "rate limit storage unavailable (ConnectionError); request allowed" in caplog.text
