"""Paynow's wire shapes and status tables (PROVIDERS.md §7): no HTTP, no flows, no state.

Every Paynow message is `application/x-www-form-urlencoded` key=value pairs (7.1), never JSON. A message is kept
as its pairs in wire order, because the hash covers the values in that order (7.4); fields are looked up by
lower-cased key, because some integrations see `Status`/`BrowserUrl` (7.3).

The status table is exhaustive over PROVIDERS.md 7.7; anything else is UNKNOWN ("poll again"), never FAILED,
and is logged so that the table can grow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl

from lipwa.common.money import Money
from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.paynow")

INITIATE_PATH = "/interface/initiatetransaction"  # web checkout (7.1)
EXPRESS_PATH = "/interface/remotetransaction"  # express checkout: EcoCash, OneMoney, InnBucks (7.1)
# The literal every initiate request carries in `status` (7.2).
REQUEST_STATUS = "Message"
# Our network ids (lipwa.common.networks, ZW) → Paynow's express `method` (7.2). InnBucks is a wallet, not a
# telco, so it is only ever chosen explicitly; Telecel has no express method at Paynow.
EXPRESS_METHODS: dict[str, str] = {"econet": "ecocash", "netone": "onemoney", "innbucks": "innbucks"}
# InnBucks' `authorizationexpires` is `d-MMM-yyyy HH:mm` (7.3), in Zimbabwe's time (A: CAT, UTC+2, no DST).
CAT = timezone(timedelta(hours=2), "CAT")
_AUTHORIZATION_EXPIRES_FORMAT = "%d-%b-%Y %H:%M"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class WireFormatError(ValueError):
    """A Paynow body that is not the shape PROVIDERS.md §7 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason."""

    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)

# Paynow `status` (poll, status update) → outcome, PROVIDERS.md 7.7, keyed by the lower-cased value.
STATUSES: dict[str, Outcome] = {
    "created": Outcome(_S.PENDING),  # the customer has not reached Paynow yet
    "sent": Outcome(_S.PROCESSING),  # the USSD push or the web checkout is in the customer's hands
    "paid": Outcome(_S.SUCCEEDED),
    # Buysafe escrow: the customer has paid and Paynow holds the funds until delivery; paid for us (7.7, 7.9).
    "awaiting delivery": Outcome(_S.SUCCEEDED),
    "delivered": Outcome(_S.SUCCEEDED),
    # "Cancelled by customer/merchant or expired" (7.7): Paynow does not say which, so the customer cancelled.
    "cancelled": Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),
    # A mobile-money failure with no reason on the wire: insufficient balance, a wrong PIN and (in test mode) a
    # cancelled prompt all read `Failed` (7.7, 7.8), so the only honest code is a generic decline.
    "failed": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),
    # A dispute is opened after payment, and a refund is recorded after payment: the charge itself succeeded
    # (7.7). Both are logged for operations by the connector.
    "disputed": Outcome(_S.SUCCEEDED),
    "refunded": Outcome(_S.SUCCEEDED),
}
FINAL_STATUSES = frozenset(name for name, outcome in STATUSES.items() if outcome.status.is_final)
STATUSES_FOR_OPERATIONS = frozenset({"disputed", "refunded"})

# `status=Error&error=<message>` answering an initiate request (7.3): Paynow refused it and created nothing,
# so every row is FAILED. Paynow has no error codes, only English messages, matched here by fragment (lower
# case, first match wins). A message none of them matches is still a refusal, as a generic decline.
INITIATE_ERRORS: tuple[tuple[str, Outcome], ...] = (
    # "Invalid Hash.  Hash should start with: 8AB116": a wrong integration key (V community, 7.4).
    ("invalid hash", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),
    ("invalid id", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),  # an unknown integration ID (A)
    # "The integration ID specified is currently in test mode. The authemail used must belong to the company in
    # control of the integration ID." (V community; 7.2, 7.8)
    ("test mode", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),
    ("authemail", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),
    # The test number 0774444444 "immediately fails the transaction during initiation" (7.8, V community).
    ("insufficient", Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS)),
    ("limit", Outcome(_S.FAILED, _F.LIMIT_EXCEEDED)),
    ("phone", Outcome(_S.FAILED, _F.INVALID_PHONE)),
    ("mobile number", Outcome(_S.FAILED, _F.INVALID_PHONE)),
)
GENERIC_REFUSAL = Outcome(_S.FAILED, _F.PROVIDER_DECLINED)


def status_outcome(status: str) -> Outcome:
    outcome = STATUSES.get(normalize_status(status))
    if outcome is None:
        log.warning("unknown Paynow status %r; the outcome stays unknown and will be polled again", status)
        return UNKNOWN
    return outcome


def normalize_status(status: str) -> str:
    """`Awaiting Delivery`, `awaiting  delivery` and `AWAITING DELIVERY` are one status."""
    return " ".join(status.split()).lower()


def initiate_error_outcome(message: str) -> Outcome:
    lowered = message.lower()
    for fragment, outcome in INITIATE_ERRORS:
        if fragment in lowered:
            return outcome
    log.warning("Paynow refused an initiate request with an error lipwa does not know: %r", message[:200])
    return GENERIC_REFUSAL


def http_status_outcome(status_code: int) -> Outcome:
    """An initiate request answered by an HTTP error, which Paynow itself never sends (it answers 200 with
    `status=Error`): a proxy, a load balancer or an outage page."""
    if status_code in (408, 429, 503):
        # Request timeout, rate limit and service unavailable mean the request was not handled (RFC 9110
        # §15.5.9, §15.6.4; RFC 6585 §4), so nothing was created and trying again later is safe.
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if 400 <= status_code < 500:
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)  # a wrong base URL or path
    return UNKNOWN  # 500, 502, 504 …: a proxy may have given up while Paynow went on to create the transaction


# -- form messages -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormMessage:
    """A form-encoded message as its (key, value) pairs in wire order, decoded exactly once."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def decode(cls, body: bytes | str) -> FormMessage:
        try:
            text = body.decode("utf-8") if isinstance(body, bytes) else body
            # Surrounding whitespace is never part of a value (a value's own spaces arrive encoded).
            pairs = parse_qsl(text.strip(), keep_blank_values=True, strict_parsing=True, errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            raise WireFormatError(f"the body is not form-encoded key=value pairs ({type(exc).__name__})") from None
        keys = [key.lower() for key, _ in pairs]
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        if duplicated:
            # Which of two values Paynow meant cannot be known, and a second copy is how a forgery would hide.
            raise WireFormatError(f"the body repeats {', '.join(duplicated)}")
        return cls(tuple(pairs))

    def get(self, key: str) -> str | None:
        wanted = key.lower()
        return next((value for name, value in self.pairs if name.lower() == wanted), None)

    def text(self, key: str) -> str:
        return (self.get(key) or "").strip()

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise WireFormatError(f"{key} is missing or empty")
        return value

    def keys(self) -> list[str]:
        return [key.lower() for key, _ in self.pairs]


@dataclass(frozen=True, slots=True)
class InitiateResponse:
    """The answer to an initiate request (7.3): `status=Ok` with the transaction's URLs, or `status=Error`."""

    status: str
    error: str = ""
    browser_url: str = ""
    poll_url: str = ""
    paynow_reference: str = ""
    instructions: str = ""
    authorization_code: str = ""
    authorization_expires: str = ""

    @property
    def ok(self) -> bool:
        return self.status.lower() == "ok"

    @property
    def is_error(self) -> bool:
        return self.status.lower() == "error"

    @classmethod
    def from_message(cls, message: FormMessage) -> InitiateResponse:
        return cls(status=message.required("status"), error=message.text("error"),
                   browser_url=message.text("browserurl"), poll_url=message.text("pollurl"),
                   paynow_reference=message.text("paynowreference"), instructions=message.text("instructions"),
                   authorization_code=message.text("authorizationcode"),
                   authorization_expires=message.text("authorizationexpires"))


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """A poll answer (7.6) or a status update (7.5): the same fields either way."""

    reference: str
    amount: str
    paynow_reference: str
    poll_url: str
    status: str

    @classmethod
    def from_message(cls, message: FormMessage) -> StatusMessage:
        return cls(reference=message.required("reference"), amount=message.text("amount"),
                   paynow_reference=message.text("paynowreference"), poll_url=message.text("pollurl"),
                   status=message.required("status"))

    def money(self, currency: str) -> Money | None:
        """The amount in `currency` (the integration's; Paynow never names it), or None when absent."""
        if not self.amount:
            return None
        try:
            amount = Money.from_major(self.amount, currency)
        except (ArithmeticError, ValueError):
            raise WireFormatError(f"amount {self.amount[:20]!r} is not an amount in {currency}") from None
        if amount.amount_minor <= 0:
            raise WireFormatError(f"amount {self.amount[:20]!r} is not positive")
        return amount


def authorization_expires_at(text: str) -> datetime | None:
    """InnBucks' `authorizationexpires` (`1-Jun-2024 14:05`, 7.3) as an aware UTC datetime; None if unreadable."""
    parts = text.strip().split("-", 2)
    # strptime's %b follows the process locale; Paynow's month names are English, so they are matched here.
    if len(parts) != 3 or parts[1][:3].lower() not in _MONTHS:
        return None
    month = f"{_MONTHS.index(parts[1][:3].lower()) + 1:02d}"
    try:
        local = datetime.strptime(f"{parts[0]}-{month}-{parts[2]}", _AUTHORIZATION_EXPIRES_FORMAT.replace("%b", "%m"))
    except ValueError:
        return None
    return local.replace(tzinfo=CAT).astimezone(UTC)
