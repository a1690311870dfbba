"""Airtel Money's HTTP endpoints, in Airtel's vocabulary (PROVIDERS.md §3.2–§3.8).

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is. Transport
failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer lost), for the
connector to classify. Every call carries `X-Country`/`X-Currency` (§3.1), so a client serves one country and
currency; create one per connector call and close it.

Never log a request body or the signing headers: the disbursement body carries the encrypted PIN.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown
from lipwa.connectors.tokens import ExpiringCache, TokenCache, secret_digest

from . import signing
from .credentials import AirtelCredentials
from .mapping import ApiResponse, EncryptionKey, TokenResponse, WireFormatError

log = logging.getLogger("lipwa.connectors.airtel")

TOKEN_PATH = "/auth/oauth2/token"
KEYS_PATH = "/v1/rsa/encryption-keys"
# The trailing slashes are part of Airtel's paths (§3.4).
COLLECT_V1_PATH = "/merchant/v1/payments/"
COLLECT_V2_PATH = "/merchant/v2/payments/"
ENQUIRY_PATH = "/standard/v1/payments/{id}"
REFUND_V1_PATH = "/standard/v1/payments/refund"
REFUND_V2_PATH = "/standard/v2/payments/refund"
DISBURSE_PATH = "/standard/v2/disbursements/"
DISBURSEMENT_ENQUIRY_PATH = "/standard/v1/disbursements/{id}"
USER_PATH = "/standard/v1/users/{msisdn}"
# Airtel takes the callback URL from the portal, never per request (§3.6, A). lipwa's simulator reads this
# header instead (P), so that each test account gets its own callbacks; Airtel ignores headers it does not know.
CALLBACK_URL_HEADER = "X-Callback-Url"
# Airtel's answers to a bad signature (§3.3): refused before anything was created, so re-signing with a fresh
# key and sending once more is safe even for a collection.
SIGNATURE_REFUSED_CODES = frozenset({"DP00800001026", "DP00900001016", "DP00900001018"})
# Tokens live about 180 s (§3.2): refresh this long before they expire, or at half their life if shorter.
TOKEN_REFRESH_MARGIN_SECONDS = 30
# The public key is cached until `valid_upto`, but never longer than a day (keys rotate), and for an hour when
# `valid_upto` cannot be read.
KEY_CACHE_MAX_SECONDS = 24 * 3600
KEY_CACHE_DEFAULT_SECONDS = 3600


class TokenRefused(Exception):
    """Airtel refused to issue a token for this client id and secret (an operator must fix them)."""

    def __init__(self, http_status: int) -> None:
        super().__init__(f"Airtel refused the client id and secret: HTTP {http_status}")
        self.http_status = http_status


class KeyUnavailable(Exception):
    """Airtel's encryption key could not be had or used, so a signed request was not sent."""


class UnexpectedResponse(Exception):
    """An Airtel answer that is neither JSON with Airtel's status block nor JSON with data."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected Airtel response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


_tokens = TokenCache(refresh_margin_seconds=TOKEN_REFRESH_MARGIN_SECONDS)
# The public key is not a token: it stays good until the `valid_upto` Airtel gives (see key_refresh_at).
_keys: ExpiringCache[RSAPublicKey] = ExpiringCache()


def clear_caches() -> None:
    """Forget every cached token and key (tests, and operators rotating credentials)."""
    _tokens.clear()
    _keys.clear()


def key_refresh_at(valid_upto: str, now: datetime) -> datetime:
    """When to fetch Airtel's key again: at `valid_upto`, bounded to a day; an hour if it cannot be read."""
    try:
        parsed = datetime.fromisoformat(valid_upto.strip().replace("Z", "+00:00"))
    except ValueError:
        return now + timedelta(seconds=KEY_CACHE_DEFAULT_SECONDS)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return min(parsed, now + timedelta(seconds=KEY_CACHE_MAX_SECONDS))


class AirtelClient:
    """One Airtel application, for one X-Country and X-Currency."""

    def __init__(self, credentials: AirtelCredentials, *, country: str, currency: str,
                 timeout_seconds: float) -> None:
        self.credentials = credentials
        self.country = country
        self.currency = currency
        # The read timeout is the account's: it bounds how long a charge may wait for Airtel's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._http = HttpClient(credentials.base_url, timeout=timeout)
        # The secret is part of the key (as a hash) so that someone who knows an app's client id, which is
        # not secret, cannot borrow the token cached for it by entering a wrong secret.
        secret_hash = secret_digest(credentials.client_secret)
        self._token_key = (credentials.base_url, credentials.client_id, secret_hash)
        self._key_key = (*self._token_key, country)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AirtelClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the API ------------------------------------------------------------------------------------------

    def access_token(self) -> str:
        return _tokens.get(self._token_key, self._fetch_token)

    def access_token_renew(self) -> str:
        """A token fetched now, even if one is cached: proves Airtel still accepts the credentials."""
        return _tokens.renew(self._token_key, self._fetch_token)

    def public_key(self) -> RSAPublicKey:
        return _keys.get(self._key_key, self._fetch_key)

    def collect(self, *, transaction_id: str, msisdn: str, amount: int, reference: str,
                callback_url: str) -> ApiResponse:
        """USSD push (§3.4): `msisdn` is national (no country code), `amount` in major units."""
        body = {"reference": reference,
                "subscriber": {"country": self.country, "currency": self.currency, "msisdn": msisdn},
                "transaction": {"amount": amount, "country": self.country, "currency": self.currency,
                                "id": transaction_id}}
        signed = self.credentials.message_signing
        path = COLLECT_V2_PATH if signed else COLLECT_V1_PATH
        headers = {CALLBACK_URL_HEADER: callback_url} if callback_url else {}
        return self._call("POST", path, body=body, signed=signed, headers=headers)

    def enquire(self, transaction_id: str) -> ApiResponse:
        """Transaction enquiry by our own `transaction.id` (§3.5)."""
        return self._call("GET", ENQUIRY_PATH.format(id=quote(transaction_id, safe="")))

    def refund(self, airtel_money_id: str) -> ApiResponse:
        """Full refund of a collection, keyed by Airtel's id (§3.7)."""
        signed = self.credentials.message_signing
        body = {"transaction": {"airtel_money_id": airtel_money_id}}
        return self._call("POST", REFUND_V2_PATH if signed else REFUND_V1_PATH, body=body, signed=signed)

    def disburse(self, *, transaction_id: str, msisdn: str, amount: int, reference: str,
                 name: str = "") -> ApiResponse:
        """Disbursement v2 (§3.8): always signed, with the PIN encrypted under Airtel's key."""
        payee: dict[str, str] = {"msisdn": msisdn, "currency": self.currency}
        if name:
            payee["name"] = name
        try:
            pin = signing.encrypt_pin(self.credentials.pin, self.public_key())
        except signing.UnusableKey as exc:
            raise KeyUnavailable(str(exc)) from None
        body = {"payee": payee, "reference": reference, "pin": pin,
                "transaction": {"amount": amount, "id": transaction_id, "type": "B2C"}}
        return self._call("POST", DISBURSE_PATH, body=body, signed=True)

    def disbursement_enquiry(self, transaction_id: str) -> ApiResponse:
        return self._call("GET", DISBURSEMENT_ENQUIRY_PATH.format(id=quote(transaction_id, safe="")))

    def user(self, msisdn: str) -> ApiResponse:
        """User enquiry (KYC, §3.8): the wallet holder's name."""
        return self._call("GET", USER_PATH.format(msisdn=quote(msisdn, safe="")))

    # -- plumbing -----------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, body: dict | None = None, signed: bool = False,
              headers: dict[str, str] | None = None) -> ApiResponse:
        """Send with a bearer token; on HTTP 401 fetch a new token, and on a refused signature a new key, and
        send once more: Airtel refused the first request before acting on it."""
        content = signing.compact_json(body) if body is not None else None
        extra = dict(headers or {})
        token = self.access_token()
        key = self._signing_key() if signed else None
        response = self._send(method, path, content, token, key, extra)
        if response.status_code == 401:
            log.info("Airtel refused a cached token (HTTP 401); fetching a new one and retrying once")
            _tokens.drop(self._token_key, token)
            token = self.access_token()
            response = self._send(method, path, content, token, key, extra)
        decoded = _decode(response)
        if key is not None and decoded.response_code in SIGNATURE_REFUSED_CODES:
            log.warning("Airtel refused the signature (%s); fetching its key again and retrying once",
                        decoded.response_code)
            _keys.drop(self._key_key, key)
            response = self._send(method, path, content, token, self._signing_key(), extra)
            decoded = _decode(response)
        return decoded

    def _signing_key(self) -> RSAPublicKey:
        try:
            return self.public_key()
        except signing.UnusableKey as exc:
            raise KeyUnavailable(str(exc)) from None

    def _send(self, method: str, path: str, content: bytes | None, token: str, key: RSAPublicKey | None,
              extra: dict[str, str]) -> HttpResponse:
        headers = {"Accept": "*/*", "Content-Type": "application/json", "X-Country": self.country,
                   "X-Currency": self.currency, "Authorization": f"Bearer {token}", **extra}
        if key is not None and content is not None:
            headers.update(signing.sign_body(content, key).headers())
        return self._http.request(method, path, content=content, headers=headers)

    def _fetch_token(self) -> tuple[str, int]:
        body = {"client_id": self.credentials.client_id, "client_secret": self.credentials.client_secret,
                "grant_type": "client_credentials"}
        try:
            response = self._http.request("POST", TOKEN_PATH, json=body,
                                          headers={"Accept": "*/*", "Content-Type": "application/json"})
        except OutcomeUnknown as exc:
            # A lost token answer is harmless: the API call it was for has not been sent yet.
            raise GatewayUnreachable(f"no answer from the Airtel token endpoint ({exc})") from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise GatewayUnreachable(f"the Airtel token endpoint answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise TokenRefused(response.status_code)
        try:
            token = TokenResponse.from_json(response.json())
        except ValueError as exc:  # WireFormatError is a ValueError, and so is a body that is not JSON
            raise GatewayUnreachable(f"unusable answer from the Airtel token endpoint: {exc}") from None
        return token.access_token, token.expires_in_seconds

    def _fetch_key(self) -> tuple[RSAPublicKey, datetime]:
        try:
            response = self._call("GET", KEYS_PATH)
        except OutcomeUnknown as exc:
            raise GatewayUnreachable(f"no answer from the Airtel encryption-key endpoint ({exc})") from exc
        except UnexpectedResponse as exc:
            raise KeyUnavailable(str(exc)) from None
        try:
            key = EncryptionKey.from_response(response)
        except WireFormatError as exc:
            raise KeyUnavailable(f"Airtel's encryption key could not be fetched: {exc}") from None
        return signing.load_public_key(key.key_b64), key_refresh_at(key.valid_upto, clock.now())


def _decode(response: HttpResponse) -> ApiResponse:
    try:
        data = response.json()
    except ValueError:
        raise UnexpectedResponse(response.status_code, "the body is not JSON") from None
    try:
        return ApiResponse.from_json(data, response.status_code)
    except WireFormatError as exc:
        raise UnexpectedResponse(response.status_code, str(exc)) from None
