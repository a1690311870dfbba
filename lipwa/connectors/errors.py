"""Exceptions a connector raises for our faults and the caller's; declines are ChargeResults instead."""

from __future__ import annotations


class ConnectorInputError(ValueError):
    """The charge cannot be sent to this gateway as asked (e.g. cents to a whole-shilling gateway)."""

    def __init__(self, message: str, *, param: str | None = None, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class ConnectorConfigError(Exception):
    """The connector account is misconfigured (missing credential, bad URL); an operator must fix it."""


class WebhookParseError(ValueError):
    """The callback body is not the shape this gateway sends; it is stored and rejected."""


class NotSupported(Exception):
    """The gateway offers no such operation (e.g. refunds through the API)."""
