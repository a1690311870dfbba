"""Daraja's wire conventions shared by the simulator's views: error envelopes, field parsing, bearer checks.

Every refusal is Daraja's envelope `{"requestId", "errorCode", "errorMessage"}`; a bad input is never a 500
of ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from . import state

AMOUNT_MAX = 250_000
MSISDN = re.compile(r"254[17][0-9]{8}")
SHORTCODE = re.compile(r"[0-9]{5,7}")
_DIGITS = re.compile(r"[0-9]+")


def envelope(status: int, error_code: str, error_message: str, request_id: str | None = None) -> JsonResponse:
    body = {"requestId": request_id or state.new_request_id(), "errorCode": error_code, "errorMessage": error_message}
    response = JsonResponse(body, status=status)
    if status >= 500:
        # A simulated 5xx (a pending query, scenario 006) is the simulator working; Django would otherwise log
        # each one as "Internal Server Error", which sends people hunting for a crash that did not happen.
        response._has_been_logged = True
    return response


def bad_request(field: str) -> JsonResponse:
    return envelope(400, "400.002.02", f"Bad Request - Invalid {field}")


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


def refuse_unauthorised_post(request: HttpRequest) -> JsonResponse | None:
    """Method, then bearer token: what Daraja's gateway checks before it looks at the body."""
    if request.method != "POST":
        return envelope(405, "405.001", "Method not allowed")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not state.token_is_valid(token.strip()):
        return envelope(404, "404.001.03", "Invalid Access Token")
    return None


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


# -- field parsing -------------------------------------------------------------------------------------


class Invalid(Exception):
    """A field Daraja would refuse with `400.002.02 Bad Request - Invalid <field>`."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def json_object(request: HttpRequest, first_field: str) -> dict:
    # Daraja answers a missing or wrong Content-Type with "Invalid <first field>" (PROVIDERS.md 1.1: for the
    # STK push that is BusinessShortCode): it could not read the body, so the first field it looks for is
    # missing. A body that is not a JSON object meets the same fate.
    if request.content_type != "application/json":
        raise Invalid(first_field)
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        raise Invalid(first_field) from None
    if not isinstance(body, dict):
        raise Invalid(first_field)
    return body


def numeric(body: dict, field: str) -> str:
    """A numeric field as a digit string; Daraja takes JSON numbers and numeric strings alike."""
    value = body.get(field)
    if isinstance(value, bool):
        raise Invalid(field)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise Invalid(field)
    if not _DIGITS.fullmatch(text):
        raise Invalid(field)
    return text


def matching(body: dict, field: str, pattern: re.Pattern) -> str:
    text = numeric(body, field)
    if not pattern.fullmatch(text):
        raise Invalid(field)
    return text


def text(body: dict, field: str, *, required: bool = True) -> str:
    value = body.get(field)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid(field)
    result = str(value)
    if required and not result.strip():
        raise Invalid(field)
    return result


def amount(body: dict, field: str = "Amount") -> int:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(field)
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(field) from None
    # Whole shillings only, KES 1 to 250,000 (PROVIDERS.md 1.9); `1.0` and `"1.00"` are whole.
    if not parsed.is_finite() or parsed != parsed.to_integral_value() or not 1 <= parsed <= AMOUNT_MAX:
        raise Invalid(field)
    return int(parsed)


def http_url(body: dict, field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str):
        raise Invalid(field)
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        raise Invalid(field) from None
    if parts.scheme not in ("http", "https") or not host:
        raise Invalid(field)
    return value.strip()
