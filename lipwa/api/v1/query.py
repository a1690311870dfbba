"""Query-string parameters shared by list endpoints: unknown names, unix timestamps, limits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from lipwa.common.errors import InvalidRequest


def refuse_unknown(query, allowed: Iterable[str]) -> None:
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise InvalidRequest(f"unknown query parameter {unknown[0]!r}", param=unknown[0])


def unix_param(query, name: str) -> datetime | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 11:
        raise InvalidRequest(f"{name} must be a unix timestamp in seconds", param=name)
    return datetime.fromtimestamp(int(raw), tz=UTC)


def limit_param(query) -> int:
    raw = query.get("limit") or "10"
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise InvalidRequest("limit must be an integer from 1 to 100", param="limit")
    return int(raw)
