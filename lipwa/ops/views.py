"""/healthz (the process answers) and /readyz (database reachable, worker heartbeat recent)."""

from django.http import HttpRequest, JsonResponse

from lipwa.api.errors import error_json

from .services import readiness


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def not_found(request: HttpRequest, exception=None) -> JsonResponse:
    return error_json(request, 404, "not_found", "path_not_found", f"no such endpoint: {request.method} {request.path}")


def server_error(request: HttpRequest) -> JsonResponse:
    return error_json(request, 500, "api_error", "internal_error",
                      "lipwa hit an internal error; the request id helps support find it")
