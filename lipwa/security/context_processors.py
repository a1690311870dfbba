"""Template context: the Content-Security-Policy nonce of this response (see lipwa.security.headers)."""

from __future__ import annotations

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict:
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
