"""What the sync and async clients share: request building, the retry policy, answers into objects or errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import error_from_response

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
WRITE_METHODS = frozenset({"POST", "DELETE"})
MAX_BACKOFF_SECONDS = 8.0
INITIAL_BACKOFF_SECONDS = 0.5


@dataclass
class RequestSpec:
    """One API call. The Idempotency-Key is fixed here, once, so every retry of the call carries the same key."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    idempotency_key: str | None = None
    raw: bool = False  # answer with the body's bytes (PDFs) instead of JSON
    # A body encoded once, before the first try (multipart uploads): every retry sends the very same bytes, which
    # lipwa's Idempotency-Key check compares. Its Content-Type goes in `headers`.
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method in WRITE_METHODS:
            self.headers["Idempotency-Key"] = self.idempotency_key or str(uuid.uuid4())


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body with a boundary chosen once, and its Content-Type. `files` maps a field to
    (filename, bytes, content type)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    for name, (filename, data, content_type) in files.items():
        # As browsers do: quotes escaped, line breaks dropped, so a filename cannot end the header early.
        safe = filename.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{safe}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def client_headers(api_key: str) -> dict[str, str]:
    if not api_key:
        raise ValueError("an API key (sk_test_… or sk_live_…) is required")
    return {"Authorization": f"Bearer {api_key}", "User-Agent": "lipwa-sdk-python/0.1.0",
            "Accept": "application/json"}


def should_retry(response: httpx.Response) -> bool:
    """Only answers that a retry with the same key can change: in-flight duplicates, rate limits, our 5xx.
    Validation and other 4xx errors would fail identically, so they are raised at once."""
    if response.status_code == 409:
        return _error_code(response) == "idempotency_key_in_use"
    return response.status_code == 429 or response.status_code >= 500


def backoff_seconds(attempt: int, response: httpx.Response | None) -> float:
    """Exponential backoff (0.5 s, 1 s, 2 s … at most 8 s); a Retry-After in seconds wins, within the cap."""
    if response is not None:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return min(float(retry_after), MAX_BACKOFF_SECONDS)
    return min(INITIAL_BACKOFF_SECONDS * 2 ** attempt, MAX_BACKOFF_SECONDS)


def parse_response(spec: RequestSpec, response: httpx.Response) -> Any:
    """The answer's JSON (or bytes), or the typed exception for an error answer."""
    if response.is_success:
        return response.content if spec.raw else response.json()
    try:
        body = response.json()
    except ValueError:
        body = None
    raise error_from_response(response.status_code, body, response.text, response.headers.get("Request-Id"))


def _error_code(response: httpx.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def query(filters: dict[str, Any]) -> dict[str, Any]:
    """Keyword filters as query parameters: None dropped, `created_gte` spelt `created[gte]` as the API wants."""
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        for suffix in ("gte", "lte"):
            if name.endswith(f"_{suffix}"):
                name = f"{name[:-len(suffix) - 1]}[{suffix}]"
        params[name] = value
    return params


def body(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments as a JSON body, None dropped so the server applies its defaults."""
    return {name: value for name, value in params.items() if value is not None}
