"""Rate limits per API key and per client IP, answered with 429, Retry-After and the standard error body.

Fixed windows counted in Django's cache framework (alias `ratelimit`): Redis when LIPWA_REDIS_URL is set, the
database otherwise, so every gunicorn process and every machine share the counts (docs/decisions.md). The
window comes from lipwa's clock, so tests advance time instead of sleeping. Gateway callbacks (/hooks/) are
never limited: refusing them would only delay money already moved.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import caches
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
    key = f"rl:{scope}:{crypto.sha256_hex(identity)[:32]}:{window_seconds}:{window}"
    cache = caches["ratelimit"]
    # add() is a no-op when the key exists; incr() is atomic on Redis and close enough on the database cache
    # (a race can let a few extra requests through, never refuse one too many).
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * window_seconds - now))


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
