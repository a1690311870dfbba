"""Paynow's HTTP endpoints, in Paynow's vocabulary: initiate (web and express) and poll (PROVIDERS.md 7.1-7.6).

This module makes HTTP calls, signs what it sends and checks the hash of what comes back; it never decides
what a payment's status is. Transport failures surface as `GatewayUnreachable` (nothing was sent) and
`OutcomeUnknown` (sent, answer lost), for the connector to classify. There is no token: every request carries
the hash of its own values and the integration key (7.4), so there is nothing to cache either.

Never log a request body: it holds the payer's phone and email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx

from lipwa.common.http import HttpClient, HttpResponse

from .credentials import PaynowCredentials
from .mapping import (
    EXPRESS_PATH,
    INITIATE_PATH,
    REQUEST_STATUS,
    FormMessage,
    InitiateResponse,
    StatusMessage,
    WireFormatError,
)
from .signing import hash_matches, signed

log = logging.getLogger("lipwa.connectors.paynow")

FORM = "application/x-www-form-urlencoded"


class UnexpectedResponse(Exception):
    """A Paynow answer that is not a form-encoded Paynow message (an HTML error page, a proxy's answer)."""

    def __init__(self, http_status: int, detail: str) -> None:
        super().__init__(f"unexpected Paynow response (HTTP {http_status}): {detail}")
        self.http_status = http_status
        self.detail = detail


class UnsafePollUrl(ValueError):
    """A poll URL that does not point at the configured Paynow host; it is never requested."""


@dataclass(frozen=True, slots=True)
class InitiateReply:
    response: InitiateResponse
    # Paynow signs `status=Ok` answers only (7.3); an unsigned or wrongly signed Ok must not be trusted.
    hash_verified: bool
    message: FormMessage


@dataclass(frozen=True, slots=True)
class PollReply:
    hash_verified: bool
    status: StatusMessage | None = None  # None when Paynow answered `status=Error`
    error: str = ""
    message: FormMessage | None = None


@dataclass(frozen=True, slots=True)
class Initiation:
    """The fields every initiate request carries (7.2), in our words."""

    reference: str
    amount: str  # major units with two decimals, e.g. "10.00"
    additional_info: str
    return_url: str
    result_url: str
    auth_email: str = ""


class PaynowClient:
    """One Paynow integration. Cheap to create; use one per connector call and close it."""

    def __init__(self, credentials: PaynowCredentials, *, timeout_seconds: float) -> None:
        self.credentials = credentials
        # The read timeout is the account's: it bounds how long a charge may wait for Paynow's answer.
        timeout = httpx.Timeout(connect=5.0, read=timeout_seconds, write=10.0, pool=5.0)
        self._http = HttpClient(credentials.base_url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PaynowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def initiate_web(self, initiation: Initiation) -> InitiateReply:
        """Web checkout (7.1): Paynow answers with the `browserurl` to send the customer to."""
        return self._initiate(INITIATE_PATH, self._fields(initiation))

    def initiate_express(self, initiation: Initiation, *, method: str, phone: str) -> InitiateReply:
        """Express checkout (7.1, 7.2): `method` is ecocash, onemoney or innbucks; `phone` is `07XXXXXXXX`."""
        extra = [("phone", phone), ("method", method)]
        return self._initiate(EXPRESS_PATH, self._fields(initiation, extra))

    def poll(self, poll_url: str) -> PollReply:
        """POST an empty body to the poll URL Paynow gave (7.6)."""
        self.check_poll_url(poll_url)
        response = self._http.request("POST", poll_url, content=b"", headers={"Content-Type": FORM})
        message = _decode(response)
        if (message.get("status") or "").strip().lower() == "error":
            return PollReply(hash_verified=False, error=message.text("error"), message=message)
        try:
            status = StatusMessage.from_message(message)
        except WireFormatError as exc:
            raise UnexpectedResponse(response.status_code, str(exc)) from None
        return PollReply(hash_verified=hash_matches(message.pairs, self.credentials.integration_key),
                         status=status, message=message)

    def check_poll_url(self, poll_url: str) -> None:
        """Refuse a poll URL on any other scheme, host or port than the configured base URL.

        Poll URLs arrive in answers and status updates; requesting one elsewhere would let whoever wrote it
        make lipwa call arbitrary addresses.
        """
        expected, actual = urlsplit(self.credentials.base_url), urlsplit(poll_url)
        if (actual.scheme.lower(), (actual.netloc or "").lower()) != (expected.scheme.lower(), expected.netloc.lower()):
            raise UnsafePollUrl(f"poll URL on {actual.scheme}://{actual.netloc} is not on the configured Paynow "
                                f"host {expected.scheme}://{expected.netloc}")

    def _fields(self, initiation: Initiation, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """The request's fields in the order of Paynow's documentation (7.2); the hash follows that order."""
        fields = [("id", self.credentials.integration_id), ("reference", initiation.reference),
                  ("amount", initiation.amount)]
        if initiation.additional_info:
            fields.append(("additionalinfo", initiation.additional_info))
        fields += [("returnurl", initiation.return_url), ("resulturl", initiation.result_url)]
        if initiation.auth_email:
            fields.append(("authemail", initiation.auth_email))
        fields += [*(extra or []), ("status", REQUEST_STATUS)]
        return signed(fields, self.credentials.integration_key)

    def _initiate(self, path: str, fields: list[tuple[str, str]]) -> InitiateReply:
        # Encoded here, once, rather than by httpx, so that the wire order is exactly the hashed order.
        response = self._http.request("POST", path, content=urlencode(fields).encode("ascii"),
                                      headers={"Content-Type": FORM})
        message = _decode(response)
        try:
            initiate = InitiateResponse.from_message(message)
        except WireFormatError as exc:
            raise UnexpectedResponse(response.status_code, str(exc)) from None
        verified = initiate.ok and hash_matches(message.pairs, self.credentials.integration_key)
        return InitiateReply(response=initiate, hash_verified=verified, message=message)


def _decode(response: HttpResponse) -> FormMessage:
    """Paynow answers HTTP 200 with a form body, errors included (7.3); anything else is not Paynow speaking."""
    if response.status_code != 200:
        raise UnexpectedResponse(response.status_code, "an HTTP error status, which Paynow itself never sends")
    try:
        message = FormMessage.decode(response.body)
    except WireFormatError as exc:
        raise UnexpectedResponse(response.status_code, str(exc)) from None
    if not message.pairs:
        raise UnexpectedResponse(response.status_code, "an empty body")
    return message
