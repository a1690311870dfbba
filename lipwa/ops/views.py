"""/healthz (the process answers), /readyz (database reachable, worker heartbeat recent), /metrics."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST

from lipwa.api.errors import error_json

from . import metrics
from .services import readiness


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition. With LIPWA_METRICS_TOKEN set, a matching bearer token is required; without
    one, only loopback clients (a Prometheus or an agent on the same machine) are answered."""
    if request.method not in ("GET", "HEAD"):
        return error_json(request, 405, "invalid_request_error", "method_not_allowed", "/metrics answers GET only")
    token = settings.LIPWA_METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
            return error_json(request, 401, "authentication_error", "invalid_metrics_token",
                              "send the metrics token: 'Authorization: Bearer <LIPWA_METRICS_TOKEN>'")
    elif not _is_loopback(request.META.get("REMOTE_ADDR", "")):
        return error_json(request, 403, "permission_error", "metrics_loopback_only",
                          "/metrics answers loopback clients only unless LIPWA_METRICS_TOKEN is set")
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def not_found(request: HttpRequest, exception=None) -> JsonResponse:
    return error_json(request, 404, "not_found", "path_not_found", f"no such endpoint: {request.method} {request.path}")


def server_error(request: HttpRequest) -> JsonResponse:
    return error_json(request, 500, "api_error", "internal_error",
                      "lipwa hit an internal error; the request id helps support find it")
