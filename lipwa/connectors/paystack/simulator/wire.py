"""Paystack's wire conventions shared by the simulator's views: the envelope, the secret-key check, field
parsing, and responses that run a hook once they have been written.

Every answer is Paystack's envelope `{"status": true|false, "message": …, "data": …}` (PROVIDERS.md 6.1); a
bad input is never a 500 of ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from hmac import compare_digest
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

SECRET_KEY = "sim_secret"
PUBLIC_KEY = "sim_key"
CURRENCIES = ("NGN", "GHS", "KES", "ZAR", "USD")  # PROVIDERS.md 6.2
DEFAULT_CURRENCY = "NGN"  # the simulated integration's own currency (6.2: "defaults to the integration's")
REFERENCE = re.compile(r"[A-Za-z0-9.=-]{1,100}")  # 6.2
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The header through which lipwa's connector names its webhook URL (P; real Paystack uses its dashboard).
CALLBACK_URL_HEADER = "X-Callback-Url"


class Invalid(Exception):
    """A request Paystack refuses with HTTP 400 and this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refusal(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"status": False, "message": message}, status=status)
    if status >= 500:
        # A simulated 5xx (scenario 006) is the simulator working, not a crash worth Django's error log.
        response._has_been_logged = True
    return response


class _AfterSend:
    """Runs a hook once the server has written the response.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a webhook started
    from here can never overtake the response it belongs to.
    """

    _after: Callable[[], object] | None = None

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


class AfterSendJson(_AfterSend, JsonResponse):
    def __init__(self, data: dict, *, after: Callable[[], object] | None = None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self._after = after


class AfterSendRedirect(_AfterSend, HttpResponseRedirect):
    def __init__(self, url: str, *, after: Callable[[], object] | None = None) -> None:
        super().__init__(url)
        self._after = after


class AfterSendHtml(_AfterSend, HttpResponse):
    def __init__(self, content: str, *, after: Callable[[], object] | None = None, status: int = 200) -> None:
        super().__init__(content, status=status, content_type="text/html; charset=utf-8")
        self._after = after


def ok(message: str, data: object, *, after: Callable[[], object] | None = None, meta: dict | None = None):
    body: dict[str, object] = {"status": True, "message": message, "data": data}
    if meta is not None:
        body["meta"] = meta
    return AfterSendJson(body, after=after)


def refuse_unauthorised(request: HttpRequest, *methods: str) -> JsonResponse | None:
    """The method, then the secret key. Live keys (and any other) are refused: the simulator never moves live
    money (6.9). (A) Paystack answers a bad key with 401 "Invalid key"."""
    if request.method not in methods:
        return refusal(405, f"{request.method} is not allowed on this endpoint")
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not compare_digest(key.strip().encode(), SECRET_KEY.encode()):
        return refusal(401, "Invalid key")
    return None


def json_body(request: HttpRequest) -> dict:
    """The request's fields: a JSON object, or form fields (some older clients post forms)."""
    if request.content_type == "application/x-www-form-urlencoded":
        return {key: request.POST.get(key) for key in request.POST}
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise Invalid("Invalid JSON body") from None
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON body")
    return body


def email(body: dict) -> str:
    value = body.get("email")
    if not isinstance(value, str) or not EMAIL.fullmatch(value.strip()):
        raise Invalid("Invalid Email Address Passed")  # (A)
    return value.strip()


def amount(body: dict, field: str = "amount", *, required: bool = True) -> int | None:
    """A positive integer in subunits; numeric strings are tolerated (6.2), fractions are not."""
    value = body.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool):
        raise Invalid("Invalid Amount Sent")  # (A)
    if isinstance(value, int):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(r"\d{1,15}", value.strip()):
        parsed = int(value.strip())
    else:
        raise Invalid("Invalid Amount Sent")
    if parsed <= 0:
        raise Invalid("Invalid Amount Sent")
    return parsed


def currency(body: dict) -> str:
    value = body.get("currency") or DEFAULT_CURRENCY
    if not isinstance(value, str) or value.strip().upper() not in CURRENCIES:
        raise Invalid("Currency not supported by merchant")  # (A)
    return value.strip().upper()


def reference(body: dict) -> str | None:
    value = body.get("reference")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not REFERENCE.fullmatch(value):
        raise Invalid("Invalid transaction reference: use only alphanumerics, '-', '.' and '='")  # (A)
    return value


def http_url(value: object) -> str:
    """An http(s) URL, or "" when absent or unusable (Paystack falls back to the dashboard's URL)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.hostname else ""


def metadata(body: dict) -> object:
    """Kept exactly as sent, an object or a JSON string (6.2, 6.9)."""
    return body.get("metadata")


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default
