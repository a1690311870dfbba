"""Secure response headers and a strict Content-Security-Policy with a per-response nonce.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy
and (in production, over HTTPS) HSTS; XFrameOptionsMiddleware sends X-Frame-Options. This middleware adds the
Content-Security-Policy: on the pages people see (the hosted checkout and the dashboard) scripts run only if
they carry this response's nonce, and JSON answers of the API get a policy that allows nothing at all.

Templates use the nonce as `<script nonce="{{ csp_nonce }}">` and `<style nonce="{{ csp_nonce }}">` (the
`lipwa.security.context_processors.csp_nonce` context processor provides it; views can read
`request.csp_nonce`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

# Style attributes (style="…") stay allowed: they cannot run script, and the pages use a few. Everything that
# can run or load code is limited to this origin plus the nonce.
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
               "style-src-elem 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "object-src 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), usb=(), interest-cohort=()"


class SecureHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Lazy: a nonce is made only for responses that render a page (or set the header below).
        request.csp_nonce = SimpleLazyObject(lambda: secrets.token_urlsafe(18))
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response  # a view that set its own policy knows best
        path = request.path
        if any(path.startswith(prefix) for prefix in settings.LIPWA_CSP_PAGE_PREFIXES):
            response["Content-Security-Policy"] = PAGE_POLICY.format(nonce=str(request.csp_nonce))
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        elif path.startswith("/v1/") and not path.startswith("/v1/docs"):
            # The interactive docs page loads its viewer from a CDN; everything else under /v1/ is data.
            response["Content-Security-Policy"] = API_POLICY
        return response
