"""FeexPay's HTTP endpoints, in FeexPay's vocabulary: request to pay, status query, hosted card link (PROVIDERS.md
5.2, 5.3, 5.5).

This module makes HTTP calls and decodes their bodies; it never decides what a payment's status is. Transport
failures surface as `GatewayUnreachable` (nothing was sent) and `OutcomeUnknown` (sent, answer lost), for the
connector to classify.

Retries. FeexPay authenticates every call with the static API key (5.1), so there is no token to fetch, cache
or retry. The status query is a GET that changes nothing, so transient trouble (no connection, no answer, HTTP
429/500/502/503/504) is retried here with a short backoff. The request to pay is never repeated: FeexPay
documents no idempotency key and lets us choose no reference (5.2), so a second request would ring the
customer's phone again and could charge twice; its lost answers are settled by the webhook and the janitor
instead. Creating a card link is not repeated either, because each call creates another link. The backoff's
`sleep` is injected, so tests record the delays instead of waiting.

Never log the API key (it is the whole credential) or a full phone number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.parse import quote

import httpx

from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown
from lipwa.common.phones import mask_phone

from . import catalogue
from .credentials import FeexpayCredentials
from .mapping import ErrorReply, LinkReply, TransactionReply, WireFormatError

log = logging.getLogger("lipwa.connectors.feexpay")
T = TypeVar("T")

REQUEST_TO_PAY_PATH = "/transactions/public/requesttopay/{network}"
STATUS_PATH = "/transactions/public/single/status/{reference}"
LINK_PATH = "/feexlink/api-create"
# Waits before the 2nd, 3rd and 4th try of a call that is safe to repeat; short, because a status query runs
# in the worker and the janitor asks again later anyway.
RETRY_DELAYS_SECONDS = (0.5, 1.0, 2.0)
# Answers that say "not now" rather than "no": rate limiting and server or proxy trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class UnexpectedResponse(Exception):
    """A 2xx FeexPay answer that is not the documented success shape."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected FeexPay response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


class FeexpayClient:
    """One FeexPay shop. Cheap to create; use one per connector call and close it."""

    def __init__(self, credentials: FeexpayCredentials, *, timeout_seconds: float,
                 sleep: Callable[[float], object] = time.sleep,
                 retry_delays: Iterable[float] = RETRY_DELAYS_SECONDS) -> None:
        self.credentials = credentials
        # The read timeout is the account's: it bounds how long a charge may wait for FeexPay's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._http = HttpClient(credentials.base_url, timeout=timeout)
        self._sleep = sleep
        self._retry_delays = tuple(retry_delays)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FeexpayClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- endpoints ------------------------------------------------------------------------------------------

    def request_to_pay(self, *, network: str, phone_number: str, amount: int, description: str, callback_info: str,
                       webhook_url: str, first_name: str = "", last_name: str = "",
                       email: str = "") -> TransactionReply | ErrorReply:
        """Ring the payer's phone (5.2). `network` is FeexPay's path segment, `amount` whole XOF/XAF,
        `phone_number` the country code and national number as digits."""
        body: dict[str, object] = {"phoneNumber": phone_number, "amount": amount, "shop": self.credentials.shop_id,
                                   "description": description, "callback_info": callback_info,
                                   catalogue.WEBHOOK_URL_FIELD: webhook_url}
        optional = {"first_name": first_name, "last_name": last_name, "email": email}
        body.update({name: value for name, value in optional.items() if value})
        path = REQUEST_TO_PAY_PATH.format(network=quote(network, safe=""))
        log.info("FeexPay request to pay on %s for %s", network, mask_phone(phone_number))
        response = self._call("POST", path, body=body, safe_to_repeat=False)
        return _decode(response, TransactionReply.from_json)

    def transaction_status(self, reference: str) -> TransactionReply | ErrorReply:
        """Where a transaction stands (5.3); retried on transient trouble because it changes nothing."""
        path = STATUS_PATH.format(reference=quote(reference, safe=""))
        response = self._call("GET", path, safe_to_repeat=True)
        return _decode(response, TransactionReply.from_json)

    def create_link(self, *, amount: int, currency: str, description: str, return_url: str, webhook_url: str,
                    callback_info: str) -> LinkReply | ErrorReply:
        """A hosted payment page for cards (5.5): `paymentMethod` CARD, back to `return_url` either way."""
        body: dict[str, object] = {"shop": self.credentials.shop_id, "amount": amount, "description": description,
                                   "paymentMethod": "CARD", catalogue.CARD_CURRENCY_FIELD: currency,
                                   "callback_info": callback_info, catalogue.WEBHOOK_URL_FIELD: webhook_url}
        if return_url:
            body.update({"callback_url": return_url, "callback_error": return_url})
        response = self._call("POST", LINK_PATH, body=body, safe_to_repeat=False)
        return _decode(response, LinkReply.from_json)

    # -- transport --------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, body: dict | None = None, safe_to_repeat: bool) -> HttpResponse:
        """One HTTP call; repeated after the backoff delays only when `safe_to_repeat` and the trouble is
        transient. The last failure is raised (or the last transient answer returned) as it came."""
        delays = iter(self._retry_delays if safe_to_repeat else ())
        while True:
            try:
                response = self._http.request(method, path, json=body, headers=self._headers())
            except (GatewayUnreachable, OutcomeUnknown) as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                log.info("FeexPay %s %s: %s; trying again in %s s", method, path, type(exc).__name__, delay)
            else:
                if response.status_code not in TRANSIENT_STATUSES:
                    return response
                delay = next(delays, None)
                if delay is None:
                    return response
                log.info("FeexPay %s %s answered HTTP %s; trying again in %s s", method, path,
                         response.status_code, delay)
            self._sleep(delay)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.api_key}", "Accept": "application/json"}


def _decode(response: HttpResponse, parse: Callable[[object], T]) -> T | ErrorReply:
    """The success shape `parse` reads (any 2xx), or an ErrorReply for every other status."""
    try:
        data = response.json()
    except ValueError:  # FeexPay's errors can be plain text (5.2)
        data = None
    if not 200 <= response.status_code < 300:
        return ErrorReply.from_body(response.status_code, data, response.text)
    if data is None:
        raise UnexpectedResponse(response.status_code, "the body is not JSON")
    try:
        return parse(data)
    except WireFormatError as exc:
        raise UnexpectedResponse(response.status_code, str(exc)) from None
