"""Outbound HTTP with explicit timeouts, where a timeout means "outcome unknown", never "failed".

A request that could not be sent at all (connection refused, connect timeout, DNS failure) definitely
changed nothing at the gateway: that is `GatewayUnreachable`. A request that was sent but whose answer
never came (read/write timeout, connection dropped mid-response) may have been acted on: that is
`OutcomeUnknown`, and the caller must find out by querying, not by retrying blindly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

log = logging.getLogger("lipwa.http")

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


class HttpClient:
    """A thin wrapper around httpx.Client that classifies transport failures for money code."""

    def __init__(self, base_url: str, *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
                                    follow_redirects=False, trust_env=False)

    def request(self, method: str, path: str, **kwargs) -> HttpResponse:
        try:
            response = self._client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            raise GatewayUnreachable(f"{method} {path}: {type(exc).__name__}") from exc
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError,
                httpx.DecodingError, httpx.TransportError) as exc:
            # DecodingError (a garbled gzip body, say) comes after the gateway answered, and any other transport
            # error cannot prove the request was not acted on; "unknown" is the only safe reading of both.
            log.warning("outcome unknown for %s %s: %s", method, path, type(exc).__name__)
            raise OutcomeUnknown(f"{method} {path}: {type(exc).__name__}") from exc
        return HttpResponse(response.status_code, dict(response.headers), response.content)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
