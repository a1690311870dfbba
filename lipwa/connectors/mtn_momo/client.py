"""MTN MoMo's HTTP endpoints, in MTN's vocabulary (PROVIDERS.md 2.2-2.5, 2.9, 2.10).

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is. Transport
failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer lost), for the
connector to classify. Never log headers: they carry the subscription key and the bearer token.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable

import httpx

from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown
from lipwa.connectors.tokens import TokenCache, secret_digest

from .credentials import ProductCredentials
from .mapping import (
    Answer,
    ApiUserInfo,
    TokenResponse,
    TransactionStatus,
    WireFormatError,
    active_of,
    api_key_of,
    holder_name_of,
)

log = logging.getLogger("lipwa.connectors.mtn_momo")

REQUEST_TO_PAY_PATH = "/collection/v1_0/requesttopay"
TRANSFER_PATH = "/disbursement/v1_0/transfer"
REFUND_PATH = "/disbursement/v1_0/refund"
ACCOUNT_HOLDER_PATH = "/collection/v1_0/accountholder/msisdn"
API_USER_PATH = "/v1_0/apiuser"
# A newer MTN gateway refuses some library default User-Agents with 403 (2.11, A), so we always name ourselves.
USER_AGENT = "lipwa-mtn-momo/1"
# Refresh tokens a minute before MTN expires them (2.3), so a token never dies in flight.
TOKEN_REFRESH_MARGIN_SECONDS = 60


def token_path(product: str) -> str:
    """`/collection/token/`, `/disbursement/token/`: the trailing slash is part of the path (2.3)."""
    return f"/{product}/token/"


class TokenRefused(Exception):
    """MTN refused to issue a token for this API user, key and subscription key (an operator must fix them)."""

    def __init__(self, http_status: int, code: str = "") -> None:
        detail = f" ({code})" if code else ""
        super().__init__(f"MTN refused the API user, API key or subscription key: HTTP {http_status}{detail}")
        self.http_status = http_status
        self.code = code


class ProvisioningError(Exception):
    """A sandbox provisioning call (2.2) was refused."""

    def __init__(self, what: str, answer: Answer) -> None:
        detail = f" {answer.code}" if answer.code else ""
        super().__init__(f"{what}: HTTP {answer.http_status}{detail} {answer.message}".rstrip())
        self.answer = answer


# Tokens shared by every thread of the process, one per (product, API user); MTN rate-limits token requests.
_tokens = TokenCache(refresh_margin_seconds=TOKEN_REFRESH_MARGIN_SECONDS)


def clear_token_cache() -> None:
    """Forget every cached token (tests, and operators rotating keys)."""
    _tokens.clear()


def _timeout(timeout_seconds: float) -> httpx.Timeout:
    # The read timeout is the account's: it bounds how long a charge may wait for MTN's answer.
    return httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)


# -- the product client ---------------------------------------------------------------------------------------


class MomoClient:
    """One MTN product (collection or disbursement) for one API user. Use one per connector call and close it."""

    def __init__(self, credentials: ProductCredentials, *, target_environment: str, timeout_seconds: float) -> None:
        self.credentials = credentials
        self.target_environment = target_environment
        self._http = HttpClient(credentials.base_url, timeout=_timeout(timeout_seconds))
        # The keys are part of the cache key (as hashes) so that someone who knows an API user id, which is not
        # secret, cannot borrow the token cached for it by entering a wrong key.
        self._cache_key = (credentials.base_url, credentials.product, credentials.api_user,
                           secret_digest(credentials.api_key), secret_digest(credentials.subscription_key))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MomoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def access_token(self) -> str:
        return _tokens.get(self._cache_key, self._fetch_token)

    def access_token_renew(self) -> str:
        """A token fetched now, even if one is cached: proves MTN still accepts the credentials."""
        return _tokens.renew(self._cache_key, self._fetch_token)

    # -- collection ------------------------------------------------------------------------------------

    def request_to_pay(self, *, reference: str, amount: str, currency: str, external_id: str, msisdn: str,
                       payer_message: str, payee_note: str, callback_url: str | None) -> Answer:
        """Ask the payer to approve (2.4). 202 means only that MTN queued it."""
        body = {"amount": amount, "currency": currency, "externalId": external_id,
                "payer": {"partyIdType": "MSISDN", "partyId": msisdn},
                "payerMessage": payer_message, "payeeNote": payee_note}
        return self._post(REQUEST_TO_PAY_PATH, body, reference, callback_url)

    def request_to_pay_status(self, reference: str) -> TransactionStatus | Answer:
        return self._status(f"{REQUEST_TO_PAY_PATH}/{reference}")

    def account_holder_active(self, msisdn: str) -> bool | Answer:
        """Whether the wallet exists and is active (2.9)."""
        response = self._call("GET", f"{ACCOUNT_HOLDER_PATH}/{msisdn}/active")
        return _decoded(response, active_of)

    def basic_user_info(self, msisdn: str) -> str | Answer:
        """The wallet holder's name (2.9); "" when MTN gives none."""
        response = self._call("GET", f"{ACCOUNT_HOLDER_PATH}/{msisdn}/basicuserinfo")
        return _decoded(response, holder_name_of)

    # -- disbursement ----------------------------------------------------------------------------------

    def transfer(self, *, reference: str, amount: str, currency: str, external_id: str, msisdn: str,
                 payer_message: str, payee_note: str) -> Answer:
        """Send money to a wallet (2.10). No X-Callback-Url: payouts are settled by status queries."""
        body = {"amount": amount, "currency": currency, "externalId": external_id,
                "payee": {"partyIdType": "MSISDN", "partyId": msisdn},
                "payerMessage": payer_message, "payeeNote": payee_note}
        return self._post(TRANSFER_PATH, body, reference, None)

    def transfer_status(self, reference: str) -> TransactionStatus | Answer:
        return self._status(f"{TRANSFER_PATH}/{reference}")

    def refund(self, *, reference: str, amount: str, currency: str, external_id: str, payer_message: str,
               payee_note: str, reference_to_refund: str) -> Answer:
        """Refund (part of) a request-to-pay (2.10). No X-Callback-Url: refunds are settled by status queries."""
        body = {"amount": amount, "currency": currency, "externalId": external_id, "payerMessage": payer_message,
                "payeeNote": payee_note, "referenceIdToRefund": reference_to_refund}
        return self._post(REFUND_PATH, body, reference, None)

    def refund_status(self, reference: str) -> TransactionStatus | Answer:
        return self._status(f"{REFUND_PATH}/{reference}")

    # -- HTTP --------------------------------------------------------------------------------------------

    def _post(self, path: str, body: dict, reference: str, callback_url: str | None) -> Answer:
        headers = {"X-Reference-Id": reference}
        if callback_url:
            # When present the header must not be empty (2.4), so it is left out rather than sent blank.
            headers["X-Callback-Url"] = callback_url
        response = self._call("POST", path, json=body, headers=headers)
        return _answer(response)

    def _status(self, path: str) -> TransactionStatus | Answer:
        return _decoded(self._call("GET", path), TransactionStatus.from_json)

    def _call(self, method: str, path: str, *, json: dict | None = None,
              headers: dict[str, str] | None = None) -> HttpResponse:
        """Send with a bearer token; if MTN refuses the token (401), fetch a new one and send once more.

        A 401 is answered by MTN's API gateway before the request reaches the wallet platform, so repeating
        even a POST is safe; and the repeat carries the same X-Reference-Id, which MTN would refuse with 409.
        """
        token = self.access_token()
        response = self._send(method, path, token, json, headers)
        if response.status_code == 401:
            log.info("MTN refused a cached %s token; fetching a new one and retrying once", self.credentials.product)
            _tokens.drop(self._cache_key, token)
            response = self._send(method, path, self.access_token(), json, headers)
        return response

    def _send(self, method: str, path: str, token: str, json: dict | None,
              headers: dict[str, str] | None) -> HttpResponse:
        all_headers = {"Authorization": f"Bearer {token}", "X-Target-Environment": self.target_environment,
                       "Ocp-Apim-Subscription-Key": self.credentials.subscription_key, "User-Agent": USER_AGENT,
                       **(headers or {})}
        return self._http.request(method, path, json=json, headers=all_headers)

    def _fetch_token(self) -> tuple[str, int]:
        basic = base64.b64encode(f"{self.credentials.api_user}:{self.credentials.api_key}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "User-Agent": USER_AGENT,
                   "Ocp-Apim-Subscription-Key": self.credentials.subscription_key}
        try:
            response = self._http.request("POST", token_path(self.credentials.product), headers=headers)
        except OutcomeUnknown as exc:
            # A lost token answer is harmless: the API call it was for has not been sent yet.
            raise GatewayUnreachable(f"no answer from the MTN token endpoint ({exc})") from exc
        if response.status_code >= 500:
            raise GatewayUnreachable(f"the MTN token endpoint answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise TokenRefused(response.status_code, _answer(response).code)
        try:
            token = TokenResponse.from_json(response.json())
        except ValueError as exc:  # WireFormatError is a ValueError, and so is a body that is not JSON
            raise GatewayUnreachable(f"unusable answer from the MTN token endpoint: {exc}") from None
        return token.access_token, token.expires_in_seconds


def _answer(response: HttpResponse) -> Answer:
    try:
        data = response.json() if response.body.strip() else None
    except ValueError:
        data = None
    return Answer.from_json(data, response.status_code)


def _decoded(response: HttpResponse, parse: Callable[[object], object]):
    """`parse` of a 200 body, or the Answer for anything else (an error, or a 200 that is not the shape)."""
    if response.status_code != 200:
        return _answer(response)
    try:
        return parse(response.json())
    except ValueError as exc:  # a body that is not JSON, or WireFormatError
        log.warning("MTN answered HTTP 200 with an unreadable body: %s", exc)
        return Answer(200, "", f"unreadable body: {exc}")


# -- sandbox provisioning (2.2) -------------------------------------------------------------------------------


class MomoProvisioning:
    """The sandbox's API-user provisioning endpoints; production users come from MTN's partner portal."""

    def __init__(self, base_url: str, subscription_key: str, *, timeout_seconds: float = 30.0) -> None:
        self._http = HttpClient(base_url, timeout=_timeout(timeout_seconds))
        self._headers = {"Ocp-Apim-Subscription-Key": subscription_key, "User-Agent": USER_AGENT}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MomoProvisioning:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def create_api_user(self, provider_callback_host: str, api_user: str | None = None) -> str:
        """Create an API user whose callbacks may go to `provider_callback_host`; returns its id.

        The id is the X-Reference-Id we choose (a UUID v4); pass `api_user` to retry with the same one.
        """
        api_user = api_user or str(uuid.uuid4())
        response = self._http.request("POST", API_USER_PATH, json={"providerCallbackHost": provider_callback_host},
                                      headers={**self._headers, "X-Reference-Id": api_user})
        if response.status_code != 201:
            raise ProvisioningError("MTN refused to create the API user", _answer(response))
        return api_user

    def api_user(self, api_user: str) -> ApiUserInfo:
        response = self._http.request("GET", f"{API_USER_PATH}/{api_user}", headers=self._headers)
        if response.status_code != 200:
            raise ProvisioningError("MTN did not return the API user", _answer(response))
        try:
            return ApiUserInfo.from_json(response.json())
        except (ValueError, WireFormatError) as exc:
            raise ProvisioningError(f"unreadable API user ({exc})", Answer(200)) from None

    def create_api_key(self, api_user: str) -> str:
        """A new API key for `api_user` (shown once by MTN; store it encrypted)."""
        response = self._http.request("POST", f"{API_USER_PATH}/{api_user}/apikey", headers=self._headers)
        if response.status_code != 201:
            raise ProvisioningError("MTN refused to create an API key", _answer(response))
        try:
            return api_key_of(response.json())
        except ValueError as exc:
            raise ProvisioningError(f"unreadable API key answer ({exc})", Answer(201)) from None


def provision_sandbox_user(base_url: str, subscription_key: str, provider_callback_host: str,
                           *, timeout_seconds: float = 30.0) -> tuple[str, str]:
    """Create a sandbox API user and its key in one go; returns (api_user, api_key)."""
    with MomoProvisioning(base_url, subscription_key, timeout_seconds=timeout_seconds) as provisioning:
        api_user = provisioning.create_api_user(provider_callback_host)
        return api_user, provisioning.create_api_key(api_user)
