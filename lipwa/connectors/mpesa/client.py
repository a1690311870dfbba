"""Daraja's HTTP endpoints, in Daraja's vocabulary: OAuth token, STK push, STK query (PROVIDERS.md 1.2–1.4).

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is. Transport
failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer lost), for
the connector to classify.

Never log a request body: the STK `Password` is base64 of the passkey and can be decoded back to it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import httpx

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown
from lipwa.connectors.tokens import TokenCache, secret_digest

from .credentials import MpesaCredentials
from .mapping import ErrorEnvelope, StkPushResponse, StkQueryResponse, TokenResponse, WireFormatError

log = logging.getLogger("lipwa.connectors.mpesa")
T = TypeVar("T")

TOKEN_PATH = "/oauth/v1/generate"
STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest"
STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query"
# Daraja's answers to an expired or unknown bearer token (1.2); the request was refused, so one retry with a
# fresh token is safe even for the non-idempotent STK push.
TOKEN_REJECTED_CODES = frozenset({"404.001.03", "401.002.01"})
# Refresh tokens this long before Daraja expires them, so a token never dies in flight (1.2).
TOKEN_REFRESH_MARGIN_SECONDS = 300
# Daraja's timestamps are Kenyan local time (1.3); Kenya has no daylight saving.
EAT = timezone(timedelta(hours=3), "EAT")


class TokenRefused(Exception):
    """Daraja refused to issue a token for these consumer key and secret (an operator must fix them)."""

    def __init__(self, http_status: int, error_code: str = "") -> None:
        detail = f" ({error_code})" if error_code else ""
        super().__init__(f"Daraja refused the consumer key and secret: HTTP {http_status}{detail}")
        self.http_status = http_status
        self.error_code = error_code


class UnexpectedResponse(Exception):
    """A Daraja answer that is neither the documented success shape nor the error envelope."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected Daraja response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


def daraja_timestamp(at: datetime) -> str:
    """`YYYYMMDDHHmmss` in EAT, the `Timestamp` of STK requests (1.3)."""
    return at.astimezone(EAT).strftime("%Y%m%d%H%M%S")


def stk_password(shortcode: str, passkey: str, timestamp: str) -> str:
    """`base64(BusinessShortCode + Passkey + Timestamp)` (1.3)."""
    return base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode()


# Tokens shared by every thread of the process, one per Daraja app; Daraja rate-limits token requests.
_tokens = TokenCache(refresh_margin_seconds=TOKEN_REFRESH_MARGIN_SECONDS)


def clear_token_cache() -> None:
    """Forget every cached token (tests, and operators rotating keys)."""
    _tokens.clear()


# -- the client ---------------------------------------------------------------------------------------------


class DarajaClient:
    """One Daraja app and shortcode. Cheap to create; use one per connector call and close it."""

    def __init__(self, credentials: MpesaCredentials, *, timeout_seconds: float) -> None:
        self.credentials = credentials
        # The read timeout is the account's: it bounds how long a charge may wait for Daraja's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._http = HttpClient(credentials.base_url, timeout=timeout)
        # The secret is part of the key (as a hash) so that someone who knows an app's consumer key, which
        # is not secret, cannot borrow the token cached for it by entering a wrong secret.
        secret_hash = secret_digest(credentials.consumer_secret)
        self._cache_key = (credentials.base_url, credentials.consumer_key, secret_hash)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DarajaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def access_token(self) -> str:
        return _tokens.get(self._cache_key, self._fetch_token)

    def access_token_renew(self) -> str:
        """A token fetched now, even if one is cached: proves Daraja still accepts the key and secret."""
        return _tokens.renew(self._cache_key, self._fetch_token)

    def stk_push(self, *, amount: int, phone_number: str, callback_url: str, account_reference: str,
                 transaction_desc: str) -> StkPushResponse | ErrorEnvelope:
        """Send the prompt (1.3). `amount` is whole shillings; `phone_number` is `2547…`/`2541…`."""
        body = {**self._password_fields(), "TransactionType": self.credentials.transaction_type,
                "Amount": amount, "PartyA": phone_number, "PartyB": self.credentials.party_b,
                "PhoneNumber": phone_number, "CallBackURL": callback_url,
                "AccountReference": account_reference, "TransactionDesc": transaction_desc}
        response = self._post(STK_PUSH_PATH, body)
        return _decode(response, StkPushResponse.from_json)

    def stk_query(self, *, checkout_request_id: str) -> StkQueryResponse | ErrorEnvelope:
        """Ask what became of a prompt (1.4)."""
        body = {**self._password_fields(), "CheckoutRequestID": checkout_request_id}
        response = self._post(STK_QUERY_PATH, body)
        return _decode(response, StkQueryResponse.from_json)

    def _password_fields(self) -> dict[str, str]:
        timestamp = daraja_timestamp(clock.now())
        return {"BusinessShortCode": self.credentials.shortcode, "Timestamp": timestamp,
                "Password": stk_password(self.credentials.shortcode, self.credentials.passkey, timestamp)}

    def _post(self, path: str, body: dict[str, object]) -> HttpResponse:
        """POST with a bearer token; if Daraja refuses the token, fetch a new one and send once more."""
        token = self.access_token()
        response = self._send(path, body, token)
        envelope = _envelope(response)
        if envelope is not None and envelope.error_code in TOKEN_REJECTED_CODES:
            log.info("Daraja refused a cached token (%s); fetching a new one and retrying once",
                     envelope.error_code)
            _tokens.drop(self._cache_key, token)
            response = self._send(path, body, self.access_token())
        return response

    def _send(self, path: str, body: dict[str, object], token: str) -> HttpResponse:
        return self._http.request("POST", path, json=body, headers={"Authorization": f"Bearer {token}"})

    def _fetch_token(self) -> tuple[str, int]:
        basic = base64.b64encode(f"{self.credentials.consumer_key}:{self.credentials.consumer_secret}".encode())
        try:
            response = self._http.request("GET", TOKEN_PATH, params={"grant_type": "client_credentials"},
                                          headers={"Authorization": f"Basic {basic.decode()}"})
        except OutcomeUnknown as exc:
            # A lost token answer is harmless: the API call it was for has not been sent yet.
            raise GatewayUnreachable(f"no answer from the Daraja token endpoint ({exc})") from exc
        if response.status_code >= 500:
            raise GatewayUnreachable(f"the Daraja token endpoint answered HTTP {response.status_code}")
        if response.status_code != 200:
            envelope = _envelope(response)
            raise TokenRefused(response.status_code, envelope.error_code if envelope else "")
        try:
            token = TokenResponse.from_json(response.json())
        except ValueError as exc:  # WireFormatError is a ValueError, and so is a body that is not JSON
            # Like a lost answer, an unusable token means the API call it was for has not been sent.
            raise GatewayUnreachable(f"unusable answer from the Daraja token endpoint: {exc}") from None
        return token.access_token, token.expires_in_seconds


def _envelope(response: HttpResponse) -> ErrorEnvelope | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return ErrorEnvelope.from_json(data, response.status_code) if isinstance(data, dict) else None


def _decode(response: HttpResponse, parse: Callable[[object], T]) -> T | ErrorEnvelope:
    """Daraja's error envelope (any status), or the success shape `parse` reads (HTTP 200 only)."""
    try:
        data = response.json()
    except ValueError:
        raise UnexpectedResponse(response.status_code, "the body is not JSON") from None
    envelope = ErrorEnvelope.from_json(data, response.status_code) if isinstance(data, dict) else None
    if envelope is not None:
        return envelope
    if response.status_code != 200:
        raise UnexpectedResponse(response.status_code, "an error status without Daraja's error envelope")
    try:
        return parse(data)
    except WireFormatError as exc:
        raise UnexpectedResponse(response.status_code, str(exc)) from None
