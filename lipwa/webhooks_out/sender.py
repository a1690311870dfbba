"""One HTTP POST of a delivery, classified into an attempt outcome; no database here."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass

import httpx

from lipwa.common.http import GatewayUnreachable, HttpClient, OutcomeUnknown

log = logging.getLogger("lipwa.webhooks_out")

EXCERPT_MAX_BYTES = 1024
USER_AGENT = "lipwa-webhooks/1"


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    succeeded: bool
    status_code: int | None
    error: str
    latency_ms: int
    response_excerpt: str


def _excerpt(body: bytes) -> str:
    # PostgreSQL text cannot hold NUL, and a receiver may answer anything.
    return body[:EXCERPT_MAX_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _describe(exc: Exception, timeout_seconds: float) -> str:
    cause = type(exc.__cause__ or exc).__name__
    if "Timeout" in cause:
        return f"timed out after {timeout_seconds:g} s ({cause})"
    if isinstance(exc, GatewayUnreachable):
        return f"could not connect ({cause})"
    return f"transport error ({cause})"[:300]


@functools.cache
def shared_client() -> HttpClient:
    """One pooled client per process: keep-alive connections to an endpoint are reused across deliveries and
    batches instead of a new TCP (and TLS) handshake per request. httpx clients are safe to share between the
    sending threads; each request carries its own timeout."""
    return HttpClient("", name="webhooks_out")


def post_event(url: str, body: bytes, headers: dict[str, str], *, timeout_seconds: float) -> AttemptOutcome:
    """POST `body` to `url`; any 2xx is success. Redirects are not followed (a moved endpoint must be updated)."""
    all_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers}
    started = time.monotonic()
    try:
        response = shared_client().request("POST", url, content=body, headers=all_headers,
                                           timeout=httpx.Timeout(timeout_seconds))
    except (GatewayUnreachable, OutcomeUnknown) as exc:
        return AttemptOutcome(False, None, _describe(exc, timeout_seconds), _ms_since(started), "")
    except Exception as exc:  # an unsendable URL must be recorded as a failed attempt, not crash the worker
        log.warning("webhook POST to %s could not be sent: %s", url, type(exc).__name__)
        return AttemptOutcome(False, None, f"could not send ({type(exc).__name__})", _ms_since(started), "")
    return AttemptOutcome(200 <= response.status_code < 300, response.status_code, "", _ms_since(started),
                          _excerpt(response.body))


def _ms_since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
