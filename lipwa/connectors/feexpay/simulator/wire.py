"""FeexPay's wire conventions shared by the simulator's views: JSON errors, auth, body parsing, late hooks.

Every refusal is a JSON object with a `message` (A: the shape integrations quote; FeexPay's real errors are
sometimes plain text, PROVIDERS.md 5.2, which the simulator only produces for scenario 006). A bad input is
never a 500 of ours.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from hmac import compare_digest
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_KEY = "sim_key"
SHOP_ID = "sim_shop"
WEBHOOK_SECRET = "sim_secret"


def error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    body: dict[str, object] = {"message": message}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status >= 500:
        # A simulated 5xx is the simulator working; Django would otherwise log it as a crash.
        response._has_been_logged = True
    return response


def not_found() -> JsonResponse:
    # PROVIDERS.md 5.8: unknown networks (and any other path) get 404 {"message": "Not found"}.
    return error(404, "Not found")


class Invalid(Exception):
    """A field FeexPay would refuse with 422 (A: Laravel's validation shape, `{"message", "errors"}`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def response(self) -> JsonResponse:
        return error(422, self.message, {self.field: [self.message]})


def refuse_unauthorised(request: HttpRequest, method: str) -> JsonResponse | None:
    """Method, then the API key: every V2 call carries `Authorization: Bearer <API key>` (5.1)."""
    if request.method != method:
        return error(405, f"The {request.method} method is not supported for this route. Supported methods: "
                          f"{method}.")
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not compare_digest(key.strip().encode(), API_KEY.encode()):
        return error(401, "Unauthenticated.")
    return None


def json_object(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise Invalid("body", "The request body must be JSON.") from None
    if not isinstance(body, dict):
        raise Invalid("body", "The request body must be a JSON object.")
    return body


def shop_matches(body: dict) -> bool:
    shop = body.get("shop")
    return isinstance(shop, str) and compare_digest(shop.encode(), SHOP_ID.encode())


def whole_amount(body: dict, minimum: int, maximum: int) -> int:
    """`amount`: a JSON integer (5.2: whole XOF/XAF, no strings, no decimals) within the limits."""
    value = body.get("amount")
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("amount", "The amount must be an integer.")
    if not minimum <= value <= maximum:
        raise Invalid("amount", f"The amount must be between {minimum} and {maximum}.")
    return value


def optional_text(body: dict, field: str) -> str:
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(field, f"The {field} must be a string.")
    return value


def optional_url(body: dict, field: str) -> str:
    value = optional_text(body, field).strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise Invalid(field, f"The {field} must be a valid URL.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Invalid(field, f"The {field} must be a valid URL.")
    return value


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


class AfterSend:
    """Runs a hook once the server has written the response.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a webhook started
    from here can never overtake the response it belongs to.
    """

    _after: Callable[[], object] | None = None

    def run_after_send(self, after: Callable[[], object] | None) -> AfterSend:
        self._after = after
        return self

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


class AfterSendJsonResponse(AfterSend, JsonResponse):
    pass


class AfterSendHttpResponse(AfterSend, HttpResponse):
    pass
