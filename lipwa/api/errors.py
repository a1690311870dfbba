"""Turn every error into the JSON error format of DESIGN.md §6."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from lipwa.common.errors import LipwaError


def error_response(request: HttpRequest, error: LipwaError) -> JsonResponse:
    return JsonResponse(error.to_dict(getattr(request, "request_id", None)), status=error.status)


def error_json(request: HttpRequest, status: int, type_: str, code: str, message: str,
               param: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"type": type_, "code": code, "message": message, "param": param,
                                   "request_id": getattr(request, "request_id", None)}}, status=status)
