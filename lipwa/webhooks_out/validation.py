"""Pure checks of what a merchant asks for: an endpoint URL and a list of event types."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from lipwa.common.errors import InvalidRequest

from .event_types import EVENT_TYPES, WILDCARD

URL_MAX_LENGTH = 2000
ENABLED_EVENTS_MAX = 100
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    # 0.0.0.0 reaches this machine too on most systems, so it counts as the service's own address.
    return address.is_loopback or address.is_unspecified


def origin_of(url_or_host: str, default_scheme: str = "http") -> tuple[str, int] | None:
    """(host, port) of a URL or of a `host[:port]` string, or None when it has no usable host."""
    text = url_or_host if "://" in url_or_host else f"{default_scheme}://{url_or_host}"
    try:
        parts = urlsplit(text)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.hostname.lower().rstrip("."), port


def _same_origin(left: tuple[str, int], right: tuple[str, int]) -> bool:
    if left[1] != right[1]:
        return False
    # localhost, 127.0.0.1 and ::1 are one machine: a URL naming any of them on lipwa's port is lipwa itself.
    return left[0] == right[0] or (_is_loopback(left[0]) and _is_loopback(right[0]))


def check_endpoint_url(url: str, own_origins: Iterable[tuple[str, int]]) -> str:
    """The URL, stripped, if lipwa may POST to it; InvalidRequest(param="url") naming the problem otherwise.

    Loopback addresses are allowed (merchants test with local receivers), but not lipwa's own address: a
    webhook aimed at the service itself would let anyone with an API key make lipwa call its own API.
    """
    url = (url or "").strip()
    if not url:
        raise InvalidRequest("url must not be empty", param="url")
    if len(url) > URL_MAX_LENGTH:
        raise InvalidRequest(f"url must be at most {URL_MAX_LENGTH} characters", param="url")
    if not url.isascii() or not url.isprintable() or " " in url:
        raise InvalidRequest("url must be ASCII without spaces or control characters (percent-encode the rest)",
                             param="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidRequest("url is not a valid URL (check the host and port)", param="url") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise InvalidRequest("url must start with http:// or https://", param="url", code="url_invalid_scheme")
    if not parts.hostname:
        raise InvalidRequest("url has no host", param="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidRequest("url must not carry credentials (user:password@); authenticate deliveries with the "
                             "signing secret instead", param="url", code="url_has_credentials")
    target = (parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[parts.scheme])
    if any(_same_origin(target, own) for own in own_origins):
        raise InvalidRequest("url points at this lipwa service itself", param="url", code="url_is_lipwa")
    return url


def check_enabled_events(enabled_events: list[str]) -> list[str]:
    """Deduplicated event types in the order given; `*` alone stands for every type, including future ones."""
    if not enabled_events:
        raise InvalidRequest("enabled_events must name at least one event type, or '*' for all",
                             param="enabled_events")
    if len(enabled_events) > ENABLED_EVENTS_MAX:
        raise InvalidRequest(f"enabled_events may name at most {ENABLED_EVENTS_MAX} types", param="enabled_events")
    if WILDCARD in enabled_events:
        return [WILDCARD]
    unknown = sorted({t for t in enabled_events if t not in EVENT_TYPES})
    if unknown:
        raise InvalidRequest(f"unknown event types: {', '.join(repr(t) for t in unknown)}; known types are "
                             f"{', '.join(sorted(EVENT_TYPES))} or '*'", param="enabled_events",
                             code="unknown_event_types")
    return list(dict.fromkeys(enabled_events))
