"""AzamPay's HTTP endpoints, in AzamPay's vocabulary (PROVIDERS.md 4.1-4.7), over its three hosts.

    authenticator  POST /AppRegistration/GenerateToken
    checkout       POST /azampay/mno/checkout, POST /azampay/bank/checkout
    disbursement   POST /api/v1/azampay/disburse, GET /api/v1/azampay/transactionstatus,
                   POST /api/v1/azampay/namelookup

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is. Transport
failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer lost), for
the connector to classify. Never log a request body or a header: the token request carries the client secret,
and every other request the API key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import httpx

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown
from lipwa.connectors.tokens import TokenCache, secret_digest

from .credentials import AzamPayCredentials
from .mapping import (
    TOKEN_DEFAULT_LIFETIME_SECONDS,
    CheckoutResponse,
    Envelope,
    NameLookupResponse,
    ProblemDetails,
    TokenResponse,
    WireFormatError,
)

log = logging.getLogger("lipwa.connectors.azampay")
T = TypeVar("T")

TOKEN_PATH = "/AppRegistration/GenerateToken"
MNO_CHECKOUT_PATH = "/azampay/mno/checkout"
BANK_CHECKOUT_PATH = "/azampay/bank/checkout"
DISBURSE_PATH = "/api/v1/azampay/disburse"
STATUS_PATH = "/api/v1/azampay/transactionstatus"
NAME_LOOKUP_PATH = "/api/v1/azampay/namelookup"
# Refresh tokens this long before AzamPay expires them (tokens last ~24 h, 4.2), so none dies in flight.
TOKEN_REFRESH_MARGIN_SECONDS = 300
# AzamPay's answer to an expired or unknown bearer token (A: 401 is what HTTP prescribes; 4.2 documents none).
# The request was refused, so one retry with a fresh token is safe even for a non-idempotent checkout.
TOKEN_REJECTED_STATUS = 401

Reply = Envelope | ProblemDetails


class TokenRefused(Exception):
    """AzamPay refused to issue a token for this app, client id and secret (an operator must fix them)."""

    def __init__(self, http_status: int, message: str = "") -> None:
        detail = f": {message}" if message else ""
        super().__init__(f"AzamPay refused the app name, client id and secret: HTTP {http_status}{detail}")
        self.http_status = http_status
        self.message = message


class UnexpectedResponse(Exception):
    """An AzamPay answer that is none of the documented shapes."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected AzamPay response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


# Tokens shared by every thread of the process, one per AzamPay app.
_tokens = TokenCache(refresh_margin_seconds=TOKEN_REFRESH_MARGIN_SECONDS)


def clear_token_cache() -> None:
    """Forget every cached token (tests, and operators rotating keys)."""
    _tokens.clear()


# -- the client ---------------------------------------------------------------------------------------------


class AzamPayClient:
    """One AzamPay app. Cheap to create; use one per connector call and close it."""

    def __init__(self, credentials: AzamPayCredentials, *, timeout_seconds: float) -> None:
        self.credentials = credentials
        # The read timeout is the account's: it bounds how long a charge may wait for AzamPay's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._auth = HttpClient(credentials.auth_base_url, timeout=timeout)
        self._checkout = HttpClient(credentials.checkout_base_url, timeout=timeout)
        self._disbursement = HttpClient(credentials.disbursement_base_url, timeout=timeout)
        # The secret is part of the key (as a hash) so that someone who knows an app's client id, which is
        # not secret, cannot borrow the token cached for it by entering a wrong secret.
        secret_hash = secret_digest(credentials.client_secret)
        self._cache_key = (credentials.auth_base_url, credentials.client_id, secret_hash)

    def close(self) -> None:
        for http in (self._auth, self._checkout, self._disbursement):
            http.close()

    def __enter__(self) -> AzamPayClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def access_token(self) -> str:
        return _tokens.get(self._cache_key, self._fetch_token)

    def access_token_renew(self) -> str:
        """A token fetched now, even if one is cached: proves AzamPay still accepts the client id and secret."""
        return _tokens.renew(self._cache_key, self._fetch_token)

    def mno_checkout(self, *, account_number: str, amount: str, external_id: str, provider: str,
                     callback_url: str, additional_properties: dict[str, str] | None = None,
                     ) -> CheckoutResponse | Reply:
        """USSD push (4.3). `account_number` is `255…`, `amount` whole TZS as a string."""
        body = {"accountNumber": account_number, "amount": amount, "currency": "TZS", "externalId": external_id,
                "provider": provider, "additionalProperties": additional_properties or {},
                # Tolerated by AzamPay (4.3, some clients send it); honoured only by the simulator (4.6, A).
                "callbackUrl": callback_url}
        response = self._call(self._checkout, "POST", MNO_CHECKOUT_PATH, json=body)
        return _decode(response, CheckoutResponse.from_json)

    def bank_checkout(self, *, amount: str, account_number: str, mobile_number: str, merchant_name: str | None,
                      otp: str, provider: str, reference_id: str, callback_url: str,
                      additional_properties: dict[str, str] | None = None) -> CheckoutResponse | Reply:
        """Bank checkout with the customer's OTP (4.4). AzamPay calls the payer's account `merchant…`."""
        body = {"amount": amount, "currencyCode": "TZS", "merchantAccountNumber": account_number,
                "merchantMobileNumber": mobile_number, "merchantName": merchant_name, "otp": otp,
                "provider": provider, "referenceId": reference_id,
                "additionalProperties": additional_properties or {}, "callbackUrl": callback_url}
        response = self._call(self._checkout, "POST", BANK_CHECKOUT_PATH, json=body)
        return _decode(response, CheckoutResponse.from_json)

    def transaction_status(self, *, reference: str, bank_name: str, external_id: str = "") -> Reply:
        """`GET transactionstatus?pgReferenceId=&bankName=` (4.7); `externalId` as one SDK also sends it."""
        params = {"pgReferenceId": reference, "bankName": bank_name}
        if external_id:
            params["externalId"] = external_id
        response = self._call(self._disbursement, "GET", STATUS_PATH, params=params)
        return _decode(response, Envelope.from_json)

    def disburse(self, *, source: dict[str, str], destination: dict[str, str], amount: str, transfer_type: str,
                 date: str, external_reference_id: str, remarks: str) -> Reply:
        """`POST /api/v1/azampay/disburse` (4.7). The optional RSA `checksum` (A) is not sent."""
        body = {"source": source, "destination": destination,
                "transferDetails": {"type": transfer_type, "amount": amount, "date": date},
                "externalReferenceId": external_reference_id, "remarks": remarks}
        response = self._call(self._disbursement, "POST", DISBURSE_PATH, json=body)
        return _decode(response, Envelope.from_json)

    def name_lookup(self, *, bank_name: str, account_number: str) -> NameLookupResponse | Reply:
        body = {"bankName": bank_name, "accountNumber": account_number}
        response = self._call(self._disbursement, "POST", NAME_LOOKUP_PATH, json=body)
        return _decode(response, NameLookupResponse.from_json)

    def _call(self, http: HttpClient, method: str, path: str, **kwargs) -> HttpResponse:
        """Send with a bearer token and the API key; if the token is refused, fetch a new one and send once more."""
        token = self.access_token()
        response = self._send(http, method, path, token, **kwargs)
        if response.status_code == TOKEN_REJECTED_STATUS:
            log.info("AzamPay refused a cached token on %s; fetching a new one and retrying once", path)
            _tokens.drop(self._cache_key, token)
            response = self._send(http, method, path, self.access_token(), **kwargs)
        return response

    def _send(self, http: HttpClient, method: str, path: str, token: str, **kwargs) -> HttpResponse:
        headers = {"Authorization": f"Bearer {token}", "X-API-Key": self.credentials.api_key}
        return http.request(method, path, headers=headers, **kwargs)

    def _fetch_token(self) -> tuple[str, datetime]:
        body = {"appName": self.credentials.app_name, "clientId": self.credentials.client_id,
                "clientSecret": self.credentials.client_secret}
        try:
            response = self._auth.request("POST", TOKEN_PATH, json=body)
        except OutcomeUnknown as exc:
            # A lost token answer is harmless: the API call it was for has not been sent yet.
            raise GatewayUnreachable(f"no answer from the AzamPay authenticator ({exc})") from exc
        if response.status_code >= 500:
            raise GatewayUnreachable(f"the AzamPay authenticator answered HTTP {response.status_code}")
        if response.status_code != 200:
            # 423 is AzamPay's "invalid credentials" (4.2, V SDK); 400 and 401 mean the same to us.
            raise TokenRefused(response.status_code, _message_of(response))
        try:
            token = TokenResponse.from_json(response.json())
        except ValueError as exc:  # WireFormatError is a ValueError, and so is a body that is not JSON
            raise GatewayUnreachable(f"unusable answer from the AzamPay authenticator: {exc}") from None
        return token.access_token, _usable_expiry(token.expires_at)


def _usable_expiry(expires_at: datetime | None) -> datetime:
    """When the token expires, or a conservative default when AzamPay's `expire` cannot be trusted."""
    now = clock.now()
    if expires_at is None or expires_at <= now:
        # AzamPay's `expire` is an absolute time, so a clock skewed against it could read as "already expired";
        # use the token for a conservative default life rather than fetch one per request.
        log.warning("AzamPay token has no usable expiry; assuming %s s", TOKEN_DEFAULT_LIFETIME_SECONDS)
        return now + timedelta(seconds=TOKEN_DEFAULT_LIFETIME_SECONDS)
    return expires_at


def _message_of(response: HttpResponse) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return message[:200] if isinstance(message, str) else ""


def _decode(response: HttpResponse, parse: Callable[[object, int], T]) -> T | Reply:
    """The success shape `parse` reads (2xx), or AzamPay's envelope or validation error (any status)."""
    try:
        data = response.json()
    except ValueError:
        raise UnexpectedResponse(response.status_code, "the body is not JSON") from None
    problem = ProblemDetails.from_json(data, response.status_code)
    if problem is not None:
        return problem
    try:
        if 200 <= response.status_code < 300:
            return parse(data, response.status_code)
        return Envelope.from_json(data, response.status_code)
    except WireFormatError as exc:
        raise UnexpectedResponse(response.status_code, str(exc)) from None

