"""AzamPay's wire conventions shared by the simulator's views: envelopes, validation errors, field parsing,
the bearer token and API key checks.

Two error shapes, as AzamPay (an ASP.NET service) answers:
- the envelope `{"data", "message", "success": false, "statusCode"}` (PROVIDERS.md 4.2, 4.7) for refused
  credentials, tokens, unknown references and outages;
- ASP.NET's validation problem `{"type", "title", "status": 400, "traceId", "errors": {field: [..]}}` for
  malformed requests (A: the error model of a public SDK), listing every bad field at once.
A bad input is never a 500 of ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import state

CLIENT_ID = "sim_key"
CLIENT_SECRET = "sim_secret"
API_KEY = "sim_api_key"
# A national number typed with the trunk 0 (`0747…`) or with the country code (`255747…`): SDKs disagree
# (4.3), so both are taken and stored as `255…`.
_MSISDN = re.compile(r"(?:255|0)([67][0-9]{8})")
_VALIDATION_TYPE = "https://tools.ietf.org/html/rfc7231#section-6.5.1"


def envelope(status: int, message: str, data: object = None) -> JsonResponse:
    response = JsonResponse({"data": data, "message": message, "success": False, "statusCode": status},
                            status=status)
    if status >= 500:
        # A simulated 5xx (scenario 006) is the simulator working; Django would otherwise log each one as
        # "Internal Server Error", which sends people hunting for a crash that did not happen.
        response._has_been_logged = True
    return response


def problem(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"type": _VALIDATION_TYPE, "title": "One or more validation errors occurred.",
                         "status": 400, "traceId": state.new_trace_id(), "errors": errors}, status=400)


def empty(status: int) -> HttpResponse:
    """ASP.NET's bare 404 / 405 / 415, without a body."""
    return HttpResponse(status=status)


class AfterSendResponse(JsonResponse):
    """A response that runs a hook once the server has written it.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a callback
    started from here can never overtake the response it belongs to.
    """

    def __init__(self, data: dict, *, after: Callable[[], object] | None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self._after = after

    def close(self) -> None:
        try:
            super().close()
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


def refuse_unauthorised(request: HttpRequest, method: str) -> HttpResponse | None:
    """Method, bearer token, then API key: what AzamPay checks before it reads the body (4.2)."""
    if request.method != method:
        return empty(405)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not state.token_is_valid(token.strip()):
        # A: the status for a missing or expired token is not documented; 401 is what HTTP prescribes.
        return envelope(401, "Unauthorized: the access token is missing, invalid or expired")
    if request.headers.get("X-API-Key", "") != API_KEY:
        return envelope(403, "Invalid API key")
    return None


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


# -- field parsing: each parser records what is wrong instead of stopping at the first field ------------


class BadBody(Exception):
    """The body could not be read as a JSON object at all."""


def json_object(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        raise BadBody from None
    if not isinstance(body, dict):
        raise BadBody
    return body


def unreadable_body() -> JsonResponse:
    return problem({"$": ["The JSON value could not be converted to the request model."]})


class Fields:
    """Reads a request object, collecting every field error in ASP.NET's `errors` shape."""

    def __init__(self, body: dict, prefix: str = "") -> None:
        self.body = body if isinstance(body, dict) else {}
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}
        # A missing or non-object nested value is one error; its fields are then not reported one by one.
        self._absent = False
        if not isinstance(body, dict):
            self.fail("", f"The {prefix or 'request'} field is required." if body is None
                      else f"The {prefix or 'request'} field must be an object.")
            self._absent = True

    def fail(self, name: str, message: str) -> None:
        if self._absent:
            return
        key = f"{self.prefix}.{name}" if self.prefix and name else (self.prefix or name)
        self.errors.setdefault(key, []).append(message)

    def text(self, name: str, *, required: bool = True, max_chars: int = 256) -> str:
        value = self.body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, f"The {name} field is required.")
            return ""
        if not isinstance(value, str):
            self.fail(name, f"The {name} field must be a string.")
            return ""
        if len(value) > max_chars:
            self.fail(name, f"The {name} field must be at most {max_chars} characters.")
        return value.strip()

    def amount(self, name: str = "amount") -> int:
        """Whole TZS as a string (4.3) or a number (tolerated); `1000.00` is whole."""
        value = self.body.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(name, f"The {name} field is required." if value is None else f"The {name} field is invalid.")
            return 0
        try:
            parsed = Decimal(str(value).strip())
        except InvalidOperation:
            parsed = Decimal("NaN")
        if not parsed.is_finite() or parsed != parsed.to_integral_value() or parsed <= 0:
            self.fail(name, f"The {name} field must be a positive whole number of shillings.")
            return 0
        return int(parsed)

    def msisdn(self, name: str) -> str:
        text = self.text(name)
        match = _MSISDN.fullmatch(text) if text else None
        if text and match is None:
            self.fail(name, f"The {name} field is not a valid Tanzanian mobile number.")
        return f"255{match.group(1)}" if match else ""

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        """One of `options`, case-insensitively (ASP.NET reads enum names so), in its canonical spelling."""
        text = self.text(name)
        chosen = next((option for option in options if option.lower() == text.lower()), "")
        if text and not chosen:
            self.fail(name, f"The {name} field must be one of {', '.join(options)}.")
        return chosen

    def object(self, name: str) -> dict | None:
        value = self.body.get(name)
        if value is not None and not isinstance(value, dict):
            self.fail(name, f"The {name} field must be an object.")
            return None
        return value


def callback_url(body: dict) -> str:
    """The tolerated `callbackUrl` (4.3), if it is an http(s) URL; the simulator sends callbacks there."""
    value = body.get("callbackUrl")
    if not isinstance(value, str):
        return ""
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        return ""
    return value.strip() if parts.scheme in ("http", "https") and host else ""
