"""Outbound HTTP with explicit timeouts, where a timeout means "outcome unknown", never "failed".

A request that could not be sent at all (connection refused, connect timeout, DNS failure) definitely
changed nothing at the gateway: that is `GatewayUnreachable`. A request that was sent but whose answer
never came (read/write timeout, connection dropped mid-response) may have been acted on: that is
`OutcomeUnknown`, and the caller must find out by querying, not by retrying blindly.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import re
import ssl
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import httpx
from prometheus_client import Counter, Histogram

log = logging.getLogger("lipwa.http")

# Every gateway call goes through HttpClient.request, so this is the one place that measures them.
GATEWAY_REQUEST_SECONDS = Histogram(
    "lipwa_gateway_request_duration_seconds", "Time a gateway took to answer, by connector and operation.",
    ["connector", "operation"], buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
GATEWAY_REQUESTS = Counter(
    "lipwa_gateway_requests_total", "Gateway calls by connector, operation and outcome (2xx…5xx, unreachable, "
    "unknown).", ["connector", "operation", "outcome"])
GATEWAY_ERRORS = Counter(
    "lipwa_gateway_errors_total", "Gateway calls that failed: unreachable, outcome unknown (timeout) or 5xx.",
    ["connector", "operation", "kind"])
# Path segments that are ids (digits, UUIDs, long tokens) become {id}, so an operation is a bounded label.
_ID_SEGMENT = re.compile(r"^(?=.*\d)[A-Za-z0-9_.:=-]{8,}$|^\d+$")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)


class GatewayUnreachable(Exception):
    """The request never reached the gateway; nothing was created there."""


class OutcomeUnknown(Exception):
    """The request may have reached the gateway; its effect must be discovered by a status query."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        import json

        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def loopback_only_refusal(url: str) -> str | None:
    """With LIPWA_LOOPBACK_ONLY=1 (the test suite sets it), why `url` must not be called: nothing a test runs may
    reach beyond this machine, not even a DNS lookup of an example host. None when the call may go ahead."""
    if os.environ.get("LIPWA_LOOPBACK_ONLY") != "1":
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"{host or url!r} is outside loopback and LIPWA_LOOPBACK_ONLY is set"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client shares. Building one loads the whole CA bundle (about 14 ms of
    CPU), which httpx would otherwise repeat for every client, that is for every gateway call and webhook; an
    SSLContext is safe to share between threads."""
    return ssl.create_default_context(cafile=certifi.where())


class HttpClient:
    """A thin wrapper around httpx.Client that classifies transport failures for money code."""

    def __init__(self, base_url: str, *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None, name: str | None = None) -> None:
        # The metrics label: by default the connector whose module created this client (lipwa.connectors.<id>…).
        self.name = name or _caller_name(sys._getframe(1).f_globals.get("__name__", ""))
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
                                    follow_redirects=False, trust_env=False, verify=tls_context())

    def request(self, method: str, path: str, **kwargs) -> HttpResponse:
        operation = operation_label(method, path)
        refusal = loopback_only_refusal(path if "://" in path else f"{self._client.base_url}{path}")
        if refusal is not None:
            raise GatewayUnreachable(f"{method} {path}: not sent, {refusal}")
        started = time.perf_counter()
        try:
            response = self._client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            self._observe(operation, started, "unreachable")
            raise GatewayUnreachable(f"{method} {path}: {type(exc).__name__}") from exc
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError,
                httpx.DecodingError, httpx.TransportError) as exc:
            # DecodingError (a garbled gzip body, say) comes after the gateway answered, and any other transport
            # error cannot prove the request was not acted on; "unknown" is the only safe reading of both.
            self._observe(operation, started, "unknown")
            log.warning("outcome unknown for %s %s: %s", method, path, type(exc).__name__)
            raise OutcomeUnknown(f"{method} {path}: {type(exc).__name__}") from exc
        self._observe(operation, started, f"{response.status_code // 100}xx")
        return HttpResponse(response.status_code, dict(response.headers), response.content)

    def _observe(self, operation: str, started: float, outcome: str) -> None:
        GATEWAY_REQUEST_SECONDS.labels(self.name, operation).observe(time.perf_counter() - started)
        GATEWAY_REQUESTS.labels(self.name, operation, outcome).inc()
        if outcome in ("unreachable", "unknown", "5xx"):
            GATEWAY_ERRORS.labels(self.name, operation, {"unknown": "outcome_unknown"}.get(outcome, outcome)).inc()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _caller_name(module: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["lipwa", "connectors"] and len(parts) > 2:
        return parts[2]
    return parts[1] if parts[:1] == ["lipwa"] and len(parts) > 1 else (module or "unknown")


def operation_label(method: str, path: str) -> str:
    """`POST /mpesa/stkpush/v1/processrequest`; ids become {id}; a full URL (a merchant's webhook endpoint)
    is only its method, since every merchant's URL would be a series of its own."""
    if "://" in path:
        return method.upper()
    segments = path.split("?", 1)[0].strip("/").split("/")
    return f"{method.upper()} /" + "/".join("{id}" if _ID_SEGMENT.match(s) else s for s in segments if s)
