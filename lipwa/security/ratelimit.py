"""Rate limits per API key and per client IP, answered with 429, Retry-After and the standard error body.

Fixed windows, counted where every gunicorn process and every machine share them (docs/decisions.md): in Redis
when LIPWA_REDIS_URL is set (Django's cache alias `ratelimit`, atomic INCR), else in the database table
`lipwa_ratelimit_counter`, one UPSERT per limit and request. The window comes from lipwa's clock, so tests
advance time instead of sleeping. Gateway callbacks (/hooks/) are never limited: refusing them would only delay
money already moved.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

from lipwa.api.errors import error_response
from lipwa.common import clock, crypto
from lipwa.common.errors import RateLimited

log = logging.getLogger("lipwa.security")


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the address LIPWA_PROXY_COUNT trusted proxies saw in front of
    them (a client can prepend anything to X-Forwarded-For, so only the proxies' own entries count)."""
    proxies = settings.LIPWA_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_hit(scope: str, identity: str, limit: int, window_seconds: int) -> int | None:
    """Count one request; returns None when allowed, else the seconds until the window ends."""
    now = clock.now().timestamp()
    window = int(now // window_seconds)
    window_end = (window + 1) * window_seconds
    bucket = f"{scope}:{crypto.sha256_hex(identity)[:32]}:{window_seconds}"
    if "ratelimit" in settings.CACHES:
        count = _cache_count(f"rl:{bucket}:{window}", window_seconds)
    else:
        count = _database_count(bucket, window_end)
        _prune_now_and_then(now, window_seconds)
    if count <= limit:
        return None
    return max(1, math.ceil(window_end - now))


def _cache_count(key: str, window_seconds: int) -> int:
    """Redis: INCR is atomic, so concurrent requests never share a count."""
    cache = caches["ratelimit"]
    cache.add(key, 0, timeout=window_seconds * 2)  # a no-op when the key exists
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds * 2)
        return 1


_TABLE = "lipwa_ratelimit_counter"
# One statement, atomic on both databases: the first request of a window inserts 1, every later one adds 1
# under the row's lock (PostgreSQL makes concurrent inserters of a new window wait for the first and then
# update), and each request gets its own count back, so no more than the limit are ever let through.
_COUNT_SQL = (f"INSERT INTO {_TABLE} (bucket, window_end, hits) VALUES (%s, %s, 1) "
              f"ON CONFLICT (bucket, window_end) DO UPDATE SET hits = {_TABLE}.hits + 1")


def _database_count(bucket: str, window_end: int) -> int:
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:  # PostgreSQL; SQLite 3.35 and later
            cursor.execute(f"{_COUNT_SQL} RETURNING hits", [bucket, window_end])
            return cursor.fetchall()[0][0]
        with transaction.atomic():  # an older SQLite: the write lock, held to the read, keeps the count ours
            cursor.execute(_COUNT_SQL, [bucket, window_end])
            cursor.execute(f"SELECT hits FROM {_TABLE} WHERE bucket = %s AND window_end = %s",  # noqa: S608
                           [bucket, window_end])
            return cursor.fetchall()[0][0]


# When this process next deletes the counters of ended windows (lipwa's clock, seconds since the epoch). Once a
# window per process keeps the table to the identities seen in the last window or two; a race between two
# threads only deletes twice.
_next_prune_at = 0.0


def _prune_now_and_then(now: float, window_seconds: int) -> None:
    global _next_prune_at
    if _next_prune_at > now:
        return
    _next_prune_at = now + window_seconds
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE} WHERE window_end <= %s", [int(now)])  # noqa: S608 - fixed text


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not any(path.startswith(prefix) for prefix in settings.LIPWA_RATE_LIMITED_PREFIXES):
            return self.get_response(request)
        window = settings.LIPWA_RATE_LIMIT_WINDOW_SECONDS
        checks = [("ip", client_ip(request), settings.LIPWA_RATE_LIMIT_PER_IP)]
        token = _bearer(request)
        if token and path.startswith("/v1/"):
            # Keyed by the key's hash: an invalid key is counted too (and by IP), so guessing is limited.
            checks.insert(0, ("key", token, settings.LIPWA_RATE_LIMIT_PER_KEY))
        for scope, identity, limit in checks:
            if limit <= 0:
                continue  # 0 switches this limit off
            try:
                retry_after = rate_limit_hit(scope, identity, limit, window)
            except Exception as exc:  # noqa: BLE001 - a limiter outage must not become a payments outage
                log.error("rate limit storage unavailable (%s); request allowed", type(exc).__name__)
                return self.get_response(request)
            if retry_after is not None:
                log.warning("rate limit (%s) exceeded on %s %s", scope, request.method, path)
                message = (f"too many requests {'with this API key' if scope == 'key' else 'from this address'}:"
                           f" at most {limit} per {window} s; retry after {retry_after} s")
                response = error_response(request, RateLimited(message))
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
