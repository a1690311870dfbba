"""Paystack's HTTP endpoints, in Paystack's vocabulary (PROVIDERS.md 6.1-6.6).

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is.
Transport failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer
lost), for the connector to classify. Paystack authenticates every call with the secret key as a bearer
token, so there is no token to fetch or cache.

Never log a request body: it carries the customer's email, phone and OTPs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import quote

import httpx

from lipwa.common.http import HttpClient, HttpResponse

from .credentials import PaystackCredentials
from .mapping import ApiError, InitializeData, Refund, Transaction, WireFormatError

log = logging.getLogger("lipwa.connectors.paystack")
T = TypeVar("T")

INITIALIZE_PATH = "/transaction/initialize"
VERIFY_PATH = "/transaction/verify/{reference}"
CHARGE_AUTHORIZATION_PATH = "/transaction/charge_authorization"
CHARGE_PATH = "/charge"
SUBMIT_OTP_PATH = "/charge/submit_otp"
REFUND_PATH = "/refund"
REFUND_GET_PATH = "/refund/{refund_id}"
BALANCE_PATH = "/balance"
# Paystack posts webhooks to the URL set on its dashboard, never per request (6.7, A). lipwa's simulator
# reads this header instead (P), so that each test account gets its own webhooks; Paystack ignores it.
CALLBACK_URL_HEADER = "X-Callback-Url"


class UnexpectedResponse(Exception):
    """A Paystack answer that is neither its `{"status": true, "data": …}` success nor its refusal envelope."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected Paystack response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


class PaystackClient:
    """One Paystack integration. Cheap to create; use one per connector call and close it."""

    def __init__(self, credentials: PaystackCredentials, *, timeout_seconds: float, webhook_url: str = "") -> None:
        # The read timeout is the account's: it bounds how long a charge may wait for Paystack's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._http = HttpClient(credentials.base_url, timeout=timeout)
        self._headers = {"Authorization": f"Bearer {credentials.secret_key}"}
        if webhook_url:
            self._headers[CALLBACK_URL_HEADER] = webhook_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PaystackClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------------------------

    def initialize(self, *, email: str, amount: int, currency: str, reference: str, callback_url: str = "",
                   channels: list[str] | None = None,
                   metadata: Mapping[str, object] | None = None) -> InitializeData | ApiError:
        """Create a checkout for the customer to pay on Paystack's page (6.2). `amount` is in subunits."""
        body: dict[str, object] = {"email": email, "amount": amount, "currency": currency, "reference": reference}
        if callback_url:
            body["callback_url"] = callback_url
        if channels:
            body["channels"] = channels
        if metadata:
            body["metadata"] = dict(metadata)
        return self._decode(self._send("POST", INITIALIZE_PATH, body), InitializeData.from_json)

    def verify(self, reference: str) -> Transaction | ApiError:
        """The full Transaction for `reference` (6.3)."""
        path = VERIFY_PATH.format(reference=quote(reference, safe=""))
        return self._decode(self._send("GET", path), Transaction.from_json)

    def charge_mobile_money(self, *, email: str, amount: int, currency: str, reference: str, phone: str,
                            provider: str, metadata: Mapping[str, object] | None = None) -> Transaction | ApiError:
        """A direct mobile-money charge (6.4); the answer is usually a step: `send_otp` or `pay_offline`."""
        body: dict[str, object] = {"email": email, "amount": amount, "currency": currency, "reference": reference,
                                   "mobile_money": {"phone": phone, "provider": provider}}
        if metadata:
            body["metadata"] = dict(metadata)
        return self._decode(self._send("POST", CHARGE_PATH, body), Transaction.from_json)

    def submit_otp(self, *, reference: str, otp: str) -> Transaction | ApiError:
        """Continue a Charge API transaction waiting at `send_otp` (6.4)."""
        return self._decode(self._send("POST", SUBMIT_OTP_PATH, {"otp": otp, "reference": reference}),
                            Transaction.from_json)

    def charge_authorization(self, *, email: str, amount: int, currency: str, reference: str,
                             authorization_code: str,
                             metadata: Mapping[str, object] | None = None) -> Transaction | ApiError:
        """Charge a saved, reusable authorization again, without the customer (6.5)."""
        body: dict[str, object] = {"email": email, "amount": amount, "currency": currency, "reference": reference,
                                   "authorization_code": authorization_code}
        if metadata:
            body["metadata"] = dict(metadata)
        return self._decode(self._send("POST", CHARGE_AUTHORIZATION_PATH, body), Transaction.from_json)

    # -- refunds --------------------------------------------------------------------------------------------

    def refund_create(self, *, transaction: str, amount: int, currency: str, merchant_note: str = "",
                      customer_note: str = "") -> Refund | ApiError:
        """Refund all or part of a successful transaction, by its reference (6.6). Asynchronous."""
        body: dict[str, object] = {"transaction": transaction, "amount": amount, "currency": currency}
        if merchant_note:
            body["merchant_note"] = merchant_note
        if customer_note:
            body["customer_note"] = customer_note
        return self._decode(self._send("POST", REFUND_PATH, body), Refund.from_json)

    def refund_get(self, refund_id: str) -> Refund | ApiError:
        path = REFUND_GET_PATH.format(refund_id=quote(refund_id, safe=""))
        return self._decode(self._send("GET", path), Refund.from_json)

    def refund_list(self, *, transaction_reference: str) -> list[Refund] | ApiError:
        """The refunds of one transaction (6.6: `GET /refund?reference=…`)."""
        response = self._send("GET", REFUND_PATH, params={"reference": transaction_reference})
        return self._decode(response, _refund_list)

    def balance(self) -> list[tuple[str, int]] | ApiError:
        """The integration's balance per currency (`GET /balance`): a read, so it checks the secret key
        without creating anything."""
        return self._decode(self._send("GET", BALANCE_PATH), _balances)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: dict[str, object] | None = None,
              params: dict[str, str] | None = None) -> HttpResponse:
        return self._http.request(method, path, json=body, params=params, headers=self._headers)

    @staticmethod
    def _decode(response: HttpResponse, parse: Callable[[object], T]) -> T | ApiError:
        """Paystack's refusal envelope (any status), or the `data` that `parse` reads (2xx only)."""
        try:
            body = response.json()
        except ValueError:
            raise UnexpectedResponse(response.status_code, "the body is not JSON") from None
        error = ApiError.from_json(body, response.status_code)
        if error is not None:
            return error
        if not 200 <= response.status_code < 300:
            raise UnexpectedResponse(response.status_code, "an error status without Paystack's envelope")
        if not isinstance(body, dict) or body.get("status") is not True:
            raise UnexpectedResponse(response.status_code, "no `\"status\": true` in the body")
        try:
            return parse(body.get("data"))
        except WireFormatError as exc:
            raise UnexpectedResponse(response.status_code, str(exc)) from None


def _refund_list(data: object) -> list[Refund]:
    if not isinstance(data, list):
        raise WireFormatError("the refund list is not an array")
    return [Refund.from_json(item) for item in data]


def _balances(data: object) -> list[tuple[str, int]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise WireFormatError("the balance list is not an array of objects")
    try:
        return [(str(item["currency"]), int(item["balance"])) for item in data]
    except (KeyError, TypeError, ValueError) as exc:
        raise WireFormatError(f"a balance lacks its currency or amount ({exc})") from None
