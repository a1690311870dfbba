"""Request ids, body size limits and Idempotency-Key handling for every write under /v1/."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from lipwa.common.errors import LipwaError
from lipwa.common.ids import new_id
from lipwa.merchants.services import api_key_authenticate
from lipwa.payments.idempotency import idempotency_begin, idempotency_complete, idempotency_scope

from .errors import error_json, error_response

log = logging.getLogger("lipwa.api")
WRITE_METHODS = {"POST", "DELETE", "PATCH", "PUT"}


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = new_id("req")
        response = self.get_response(request)
        response["Request-Id"] = request.request_id
        return response


class BodySizeLimitMiddleware:
    """Refuse oversized bodies with 413 before any view reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.LIPWA_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_json(request, 400, "invalid_request_error", "invalid_content_length",
                              "Content-Length is not a number")
        if _is_statement_upload(request):
            # Statements may be large: Django's multipart parser spools the file to disk as it arrives and the
            # import reads it as a stream, so only the declared size is checked and the body is not read here.
            upload_limit = settings.LIPWA_MAX_UPLOAD_BYTES
            if not request.META.get("CONTENT_LENGTH"):
                return error_json(request, 411, "invalid_request_error", "length_required",
                                  "send the statement with a Content-Length header")
            if declared > upload_limit:
                return _too_big(request, upload_limit)
            return self.get_response(request)
        if declared > limit:
            return _too_big(request, limit)
        if request.method in WRITE_METHODS:
            try:
                request.body  # noqa: B018 - reading enforces DATA_UPLOAD_MAX_MEMORY_SIZE for chunked bodies
            except RequestDataTooBig:
                return _too_big(request, limit)
        return self.get_response(request)


def _is_statement_upload(request: HttpRequest) -> bool:
    return (request.method == "POST" and request.path in settings.LIPWA_STATEMENT_UPLOAD_PATHS
            and request.content_type == "multipart/form-data")


def _too_big(request: HttpRequest, limit: int) -> HttpResponse:
    return error_json(request, 413, "invalid_request_error", "body_too_large",
                      f"request body is larger than the {limit} bytes allowed")


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith("/v1/"):
            return self.get_response(request)
        token = _bearer(request)
        try:
            api_key = api_key_authenticate(token)
        except LipwaError:
            return self.get_response(request)  # the view answers 401 in the usual way
        # The view's authentication reuses it rather than reading the same key again (lipwa.api.v1.auth).
        request.lipwa_authenticated_key = (token, api_key)
        try:
            record, stored = idempotency_begin(merchant=api_key.merchant, mode=api_key.mode, key=key,
                                               method=request.method, path=request.path, body=request.body)
        except LipwaError as error:
            return error_response(request, error)
        if stored is not None:
            response = HttpResponse(stored.body, status=stored.status, content_type=stored.content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            with idempotency_scope(record):
                response = self.get_response(request)
        except BaseException:
            idempotency_complete(record=record, status=500, body=b"", content_type="")
            raise
        idempotency_complete(record=record, status=response.status_code, body=response.content,
                             content_type=response.get("Content-Type", "application/json"))
        return response


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
