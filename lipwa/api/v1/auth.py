"""Bearer API-key authentication; the ApiKey (with its merchant and mode) becomes request.auth."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer
from structlog.contextvars import bind_contextvars

from lipwa.common.crypto import constant_time_equals
from lipwa.common.errors import AuthenticationFailed
from lipwa.merchants.services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    openapi_description = "Authorization: Bearer sk_test_… (test mode) or sk_live_… (live mode)"

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization")
        if not header:
            raise AuthenticationFailed("no API key: send 'Authorization: Bearer sk_test_…'", code="missing_api_key")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("the Authorization header must be 'Bearer <API key>'")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        # A keyed write was already authenticated by the idempotency middleware, in this request, with this token.
        token_and_key = getattr(request, "lipwa_authenticated_key", None)
        if token_and_key is not None and constant_time_equals(token_and_key[0], token):
            api_key = token_and_key[1]
        else:
            api_key = api_key_authenticate(token)
        # Every line logged for the rest of this request names the merchant (lipwa.ops.logs).
        bind_contextvars(merchant_id=api_key.merchant_id)
        return api_key
