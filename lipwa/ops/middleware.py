"""Per-request observability: log context (request id, payment id), the request log line, latency metrics.

Sits right after RequestIdMiddleware, so the id it binds is the one the response's Request-Id header carries.
"""

from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse

from .logs import bind_context, clear_context, current_context
from .metrics import HTTP_REQUEST_SECONDS

log = logging.getLogger("lipwa.request")

# Path parameters whose value is a payment id, so lines logged for /v1/payments/pay_…/… carry it.
PAYMENT_ID_PREFIX = "pay_"
# Probes and scrapes arrive every few seconds; their lines would drown the rest at INFO.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clear_context()  # a thread serves many requests: nothing of the previous one may leak into this one
        bind_context(request_id=getattr(request, "request_id", None))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = _route(request)
            HTTP_REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(elapsed)
            merchant_id = current_context().get("merchant_id") or _merchant_of(request)
            level = logging.DEBUG if request.path in PROBE_PATHS else logging.INFO
            log.log(level, "%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "route": route,
                            "status": response.status_code, "duration_ms": round(elapsed * 1000, 1),
                            **({"merchant_id": merchant_id} if merchant_id else {})})
            return response
        finally:
            clear_context()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        for value in view_kwargs.values():
            if isinstance(value, str) and value.startswith(PAYMENT_ID_PREFIX):
                bind_context(payment_id=value)
        return None


def _route(request: HttpRequest) -> str:
    """The URL pattern (`v1/payments/<id>`), never the raw path: ids in label values would explode the series."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unnamed")


def _merchant_of(request: HttpRequest) -> str | None:
    auth = getattr(request, "auth", None)
    return getattr(auth, "merchant_id", None)
