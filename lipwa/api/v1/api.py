"""The v1 NinjaAPI: routers, authentication, and the error handlers that keep every answer in one format."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lipwa.common.errors import AuthenticationFailed, LipwaError

from ..errors import error_json, error_response
from .auth import ApiKeyAuth
from .cash import router as cash_router
from .checkout_sessions import router as checkout_sessions_router
from .clocks import router as test_clocks_router
from .events import router as events_router
from .invoices import router as invoices_router
from .ledger import router as ledger_router
from .openapi_extras import LipwaNinjaAPI
from .payments import router as payments_router
from .payouts import router as payouts_router
from .phone_networks import router as phone_networks_router
from .providers import router as providers_router
from .reconciliation import router as reconciliation_router
from .refunds import router as refunds_router
from .webhook_endpoints import router as webhook_endpoints_router

log = logging.getLogger("lipwa.api")

api = LipwaNinjaAPI(title="lipwa API", version="1", description="Payments over African gateways.",
                    urls_namespace="v1", openapi_url="/openapi.json", docs_url="/docs", auth=ApiKeyAuth())
api.add_router("/", payments_router)
api.add_router("/", cash_router)
api.add_router("/", reconciliation_router)
api.add_router("/", checkout_sessions_router)
api.add_router("/", ledger_router)
api.add_router("/", refunds_router)
api.add_router("/", providers_router)
api.add_router("/", payouts_router)
api.add_router("/", phone_networks_router)
api.add_router("/", events_router)
api.add_router("/", invoices_router)
api.add_router("/", webhook_endpoints_router)
api.add_router("/", test_clocks_router)


@api.exception_handler(LipwaError)
def on_lipwa_error(request: HttpRequest, exc: LipwaError):
    return error_response(request, exc)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ())]
    if location[:1] in (["body"], ["query"], ["path"]):
        location = location[1:]
    if location[:1] == ["body"]:  # ninja nests the payload under the parameter's name
        location = location[1:]
    param = ".".join(location) or None
    message = first.get("msg", "invalid request")
    if first.get("type") == "extra_forbidden":
        message = "unknown parameter"
    if first.get("type") == "json_invalid" or "JSON" in message:
        return error_json(request, 400, "invalid_request_error", "invalid_json",
                          f"request body is not valid JSON: {message}")
    return error_json(request, 400, "invalid_request_error", "parameter_invalid",
                      f"{param}: {message}" if param else message, param)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return error_response(request, AuthenticationFailed("no valid API key", code="missing_api_key"))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    if exc.status_code == 400 and "parse" in str(exc).lower():
        return error_json(request, 400, "invalid_request_error", "invalid_json",
                          "request body is not valid JSON (send Content-Type: application/json and an object)")
    return error_json(request, exc.status_code, "invalid_request_error", "http_error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return error_json(request, 404, "not_found", "resource_missing", str(exc) or "not found")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_json(request, 500, "api_error", "internal_error",
                      "lipwa hit an internal error; the request id helps support find it")
