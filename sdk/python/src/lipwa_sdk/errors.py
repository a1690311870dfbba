"""Exceptions mirroring lipwa's error format: `{"error": {type, code, message, param, request_id}}`."""

from __future__ import annotations

from typing import Any


class LipwaError(Exception):
    """Base of every error the SDK raises; the attributes are those of the API's error object."""

    def __init__(self, message: str, *, type: str | None = None, code: str | None = None,
                 param: str | None = None, request_id: str | None = None, status: int | None = None,
                 body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.status = status
        self.body = body

    def __str__(self) -> str:
        details = ", ".join(f"{name}={value}" for name, value in
                            (("status", self.status), ("code", self.code), ("param", self.param),
                             ("request_id", self.request_id)) if value is not None)
        return f"{self.message} ({details})" if details else self.message


class InvalidRequestError(LipwaError):
    """400 (and 409 state conflicts, 413): the request can never succeed as sent; never retried."""


class AuthenticationError(LipwaError):
    """401: the API key is missing, unknown or revoked."""


class PermissionDeniedError(LipwaError):
    """403: the key may not do this (named so as not to shadow the builtin PermissionError)."""


class NotFoundError(LipwaError):
    """404: no such object for this key's merchant and mode."""


class IdempotencyError(LipwaError):
    """409 `idempotency_key_in_use` (retried automatically) or 422 `idempotency_key_mismatch`."""


class RateLimitError(LipwaError):
    """429: retried automatically with backoff."""


class ProviderError(LipwaError):
    """502: the gateway behind lipwa failed."""


class APIError(LipwaError):
    """Any other failure, including 5xx answers and bodies that are not lipwa's error format."""


class APIConnectionError(LipwaError):
    """The request never got an answer: refused connection, timeout, broken transport."""


ERRORS_BY_TYPE: dict[str, type[LipwaError]] = {
    "invalid_request_error": InvalidRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found": NotFoundError,
    "idempotency_error": IdempotencyError,
    "rate_limit_error": RateLimitError,
    "provider_error": ProviderError,
    "api_error": APIError,
}


def error_from_response(status: int, body: Any, text: str, request_id: str | None) -> LipwaError:
    """The exception for an error answer; a body that is not lipwa's format becomes an APIError."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return APIError(f"HTTP {status}: {text[:200] or 'no body'}", status=status, request_id=request_id, body=body)
    kind = error.get("type")
    cls = ERRORS_BY_TYPE.get(kind or "", APIError)
    return cls(error.get("message") or f"HTTP {status}", type=kind, code=error.get("code"),
               param=error.get("param"), request_id=error.get("request_id") or request_id, status=status, body=body)
