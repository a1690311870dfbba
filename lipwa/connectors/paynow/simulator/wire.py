"""Paynow's wire conventions for the simulator: form bodies, the hash, error answers (PROVIDERS.md 7.1-7.4).

Written from PROVIDERS.md alone, never from the connector's modules (an import-linter contract), so the client
and the simulator cannot agree on the same bug; both are pinned by Paynow's worked hash examples.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from hmac import compare_digest
from urllib.parse import parse_qsl, quote_plus

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Paynow answers every API call with a form body (7.1). The media type of the answer is not documented (A).
FORM = "application/x-www-form-urlencoded; charset=utf-8"
_ESCAPE = re.compile(r"%[0-9A-F]{2}")


@dataclass(frozen=True, slots=True)
class Integration:
    """One integration ID: its key, the merchant's login emails, and whether it is in test mode (7.8)."""

    integration_id: str
    key: str
    merchant_emails: frozenset[str]
    test_mode: bool = True


# DESIGN.md §6: every simulator accepts `sim_key` / `sim_secret`. Real integration IDs are integers (7.2), but
# third-party clients send the ID as an opaque string, so this one works with them unchanged.
MERCHANT_EMAIL = "merchant@example.com"
INTEGRATIONS = {"sim_key": Integration("sim_key", "sim_secret", frozenset({MERCHANT_EMAIL}))}


class Refused(Exception):
    """A request Paynow answers with `status=Error&error=<message>` (7.3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def paynow_hash(values: list[str], key: str) -> str:
    """SHA-512 (upper-case hex) of the values joined, then the integration key lower-cased (7.4)."""
    return hashlib.sha512(("".join(values) + key.lower()).encode("utf-8")).hexdigest().upper()


def pairs_hash(pairs: list[tuple[str, str]], key: str) -> str:
    return paynow_hash([value for name, value in pairs if name.lower() != "hash"], key)


def encode(pairs: list[tuple[str, str]]) -> str:
    """Form-encode as Paynow's .NET stack does: `+` for spaces and lower-case escapes (`https%3a%2f%2f…`, 7.6)."""
    return "&".join(f"{_encode_one(name)}={_encode_one(value)}" for name, value in pairs)


def _encode_one(text: str) -> str:
    return _ESCAPE.sub(lambda match: match.group(0).lower(), quote_plus(text, safe="!*()"))


def signed_pairs(pairs: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
    return [*pairs, ("hash", pairs_hash(pairs, key))]


def form_response(pairs: list[tuple[str, str]], *, after: Callable[[], object] | None = None) -> HttpResponse:
    return AfterSendResponse(encode(pairs), content_type=FORM, after=after)


def error_response(message: str) -> HttpResponse:
    """Paynow's refusal: HTTP 200, `status=Error&error=…`, and no hash (7.3)."""
    return form_response([("status", "Error"), ("error", message)])


class AfterSendResponse(HttpResponse):
    """A response that runs a hook once the server has written it.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a status update
    started from here can never overtake the answer it belongs to.
    """

    def __init__(self, content: str, *, after: Callable[[], object] | None, **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._after = after

    def close(self) -> None:
        try:
            super().close()
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


def form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's fields in wire order, decoded exactly once (7.4: never decode twice).

    A body that is not form-encoded reads as no fields at all, as it would at Paynow.
    """
    if request.content_type != "application/x-www-form-urlencoded":
        return []
    try:
        return parse_qsl(request.body.decode("utf-8").strip(), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return []


def first(pairs: list[tuple[str, str]], name: str) -> str:
    """The first value of `name` (keys compared case-insensitively), or ""."""
    wanted = name.lower()
    return next((value for key, value in pairs if key.lower() == wanted), "")


def hash_is_right(pairs: list[tuple[str, str]], key: str) -> tuple[bool, str]:
    """(whether the request's hash is right, the expected hash)."""
    expected = pairs_hash(pairs, key)
    received = first(pairs, "hash").strip().upper()
    return bool(received) and compare_digest(received.encode(), expected.encode()), expected


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


def mount_prefix(request: HttpRequest, marker: str) -> str:
    """The absolute URL the simulator is mounted at, e.g. `http://127.0.0.1:8000/simulators/paynow`."""
    path = request.path
    index = path.lower().rfind(marker.lower())
    return request.build_absolute_uri(path[:index] if index >= 0 else "/").rstrip("/")
