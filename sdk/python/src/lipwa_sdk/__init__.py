"""lipwa_sdk: a small client for the lipwa payments API. `from lipwa_sdk import Lipwa`."""

from . import webhooks
from .client import AsyncLipwa, Lipwa
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    LipwaError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
)
from .pagination import AsyncPage, Page
from .webhooks import SignatureVerificationError

__version__ = "0.1.0"
__all__ = [
    "APIConnectionError", "APIError", "AsyncLipwa", "AsyncPage", "AuthenticationError", "IdempotencyError",
    "InvalidRequestError", "Lipwa", "LipwaError", "NotFoundError", "Page", "PermissionDeniedError",
    "ProviderError", "RateLimitError", "SignatureVerificationError", "webhooks",
]
