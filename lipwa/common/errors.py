"""The error family of the public API (DESIGN.md §6).

Every error a caller can cause is a LipwaError with an HTTP status, a stable `type` and `code`, a precise
message and, where one input is to blame, the `param` that names it. Declines are results, not errors.
"""

from __future__ import annotations


class LipwaError(Exception):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.param = param

    def to_dict(self, request_id: str | None = None) -> dict:
        return {"error": {"type": self.type, "code": self.code, "message": self.message,
                          "param": self.param, "request_id": request_id}}


class InvalidRequest(LipwaError):
    pass


class AuthenticationFailed(LipwaError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDenied(LipwaError):
    status = 403
    type = "permission_error"
    code = "permission_denied"


class NotFound(LipwaError):
    status = 404
    type = "not_found"
    code = "resource_missing"


class Conflict(LipwaError):
    """A request that is valid but not in the resource's current state."""

    status = 409
    code = "invalid_state"


class IdempotencyError(LipwaError):
    status = 409
    type = "idempotency_error"
    code = "idempotency_key_in_use"


class RateLimited(LipwaError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limited"


class ProviderError(LipwaError):
    status = 502
    type = "provider_error"
    code = "provider_unavailable"


class InvalidTransition(Exception):
    """Our own fault: code asked for a status change the transition table forbids."""

    def __init__(self, entity: str, current: str, target: str) -> None:
        super().__init__(f"{entity} cannot move from {current!r} to {target!r}")
        self.entity = entity
        self.current = current
        self.target = target

    def __reduce__(self):
        # The default pickling calls __init__ with the formatted message only, which fails; pass the parts.
        return type(self), (self.entity, self.current, self.target)
