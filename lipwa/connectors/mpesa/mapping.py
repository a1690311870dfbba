"""Daraja's wire shapes and status tables (PROVIDERS.md §1): no HTTP, no flows, no state.

The tables translate Daraja's codes into lipwa's vocabulary. Every table is exhaustive over what PROVIDERS.md
documents, and anything else maps to UNKNOWN ("query again"), never to FAILED: a code we do not know is not
evidence that the customer was not charged (DESIGN.md §7). Such codes are logged, so that the table can grow.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lipwa.common.money import Money
from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.mpesa")

CURRENCY = "KES"
# Per-payment limits in whole shillings (PROVIDERS.md 1.9; older docs said 150,000, current docs 250,000).
AMOUNT_MIN_SHILLINGS = 1
AMOUNT_MAX_SHILLINGS = 250_000
# Daraja takes 2547XXXXXXXX and 2541XXXXXXXX only (PROVIDERS.md 1.3, 1.9).
MSISDN_PATTERN = re.compile(r"254[17]\d{8}")
# Longer values make Daraja fail the prompt with 1025 (PROVIDERS.md 1.9).
ACCOUNT_REFERENCE_MAX_CHARS = 12
TRANSACTION_DESC_MAX_CHARS = 13
# Daraja silently drops callbacks to URLs containing these words (PROVIDERS.md 1.5).
CALLBACK_URL_BLOCKED_WORDS = ("m-pesa", "mpesa", "safaricom", "exe", "cmd", "sql", "query")
# The documented token lifetime (1.2), assumed when a token response carries no usable expires_in.
TOKEN_DEFAULT_EXPIRES_IN_SECONDS = 3599

ResultCode = int | str


class WireFormatError(ValueError):
    """A Daraja body that is not the shape PROVIDERS.md §1 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason."""

    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)

# STK ResultCode (callback and query) → outcome. PROVIDERS.md 1.6.
RESULT_CODES: dict[ResultCode, Outcome] = {
    0: Outcome(_S.SUCCEEDED),
    1: Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),
    # "Declined due to limit rule" is Daraja's answer to an amount below its KES 1 minimum (1.6); it is a limit.
    2: Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),
    3: Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # above the per-payment maximum (1.6)
    4: Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # would exceed the payer's daily limit (1.6)
    8: Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # would exceed the payee's maximum balance (1.6)
    # "Rule limited": the same amount to the same customer within about 2 minutes (1.6, quirk 1.11.5).
    17: Outcome(_S.FAILED, _F.DUPLICATE_REQUEST),
    # "Unable to lock subscriber": another M-Pesa session is open on the phone, often an earlier prompt
    # (1.6, V community). The customer must finish or dismiss it first, which a duplicate request describes.
    1001: Outcome(_S.FAILED, _F.DUPLICATE_REQUEST),
    1019: Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # "Transaction has expired": not acted on in time (1.6)
    # "An error occurred while sending a push request" (1.6). Its documented causes are a prompt over 182
    # characters, which the connector rules out by bounding AccountReference and TransactionDesc, and Daraja's
    # own trouble; so the gateway is what failed.
    1025: Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE),
    # The older variant of 1032 (1.6, V community sample).
    1031: Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),
    1032: Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),
    # "DS timeout user cannot be reached": the phone was off or the customer never answered (1.6).
    1037: Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),
    # "The initiator information is invalid" means, for an STK push, that the customer typed a wrong PIN (1.6).
    2001: Outcome(_S.FAILED, _F.WRONG_PIN),
    # "Not permitted according to product assignment": our TransactionType/PartyB do not fit the shortcode (1.6).
    2028: Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),
    8006: Outcome(_S.FAILED, _F.ACCOUNT_LOCKED),  # "The security credential is locked": customer PIN locked (1.6)
    # "The operator does not exist": for STK this is a wrong TransactionType/PartyB, not the payer (1.6).
    "SFC_IC0003": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),
    # A generic error while sending the prompt; transient and retryable (1.6, V community list).
    9999: Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE),
}

# errorCode of the synchronous error envelope answering an STK push (PROVIDERS.md 1.3). FAILED rows are
# refusals before anything was created, so the merchant may safely try again; UNKNOWN rows may have
# created a prompt. 500.001.1001 is overloaded and is read by its message (push_error_outcome).
PUSH_ERRORS: dict[str, Outcome] = {
    "400.002.02": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),  # "Invalid <field>"; see push_error_outcome
    "404.001.01": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),  # wrong path, i.e. a wrong base URL
    # An invalid token is retried once with a fresh one by the client; a fresh token refused as well means
    # the app's keys or its API products are wrong (1.2).
    "404.001.03": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),
    "401.002.01": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),
    "405.001": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),  # method not allowed: our bug, nothing created
    # Spike arrest / "System is busy" and quota violations are throttling refusals; PROVIDERS.md says to back
    # off and retry, which is only safe for a non-idempotent STK push (1.11.7) because nothing was created.
    "500.003.02": Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE),
    "500.003.03": Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE),
    # An internal server error says nothing about whether the prompt was created (1.3: "unknown").
    "500.003.1001": UNKNOWN,
}
OVERLOADED_ERROR_CODE = "500.001.1001"
# The meanings of 500.001.1001 on an STK push, by errorMessage (1.3); matched case-insensitively.
PUSH_OVERLOADED_MESSAGES: tuple[tuple[str, Outcome], ...] = (
    ("lock subscriber", Outcome(_S.FAILED, _F.DUPLICATE_REQUEST)),
    ("already in process", Outcome(_S.FAILED, _F.DUPLICATE_REQUEST)),
    ("merchant does not exist", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),
    ("wrong credentials", Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)),
)
# On the STK query, 500.001.1001 "The transaction is being processed" means the customer has not acted yet
# (1.4, V community).
QUERY_PENDING_MESSAGE = "being processed"
# Fields whose "Invalid <field>" (400.002.02) is the payer's number rather than our configuration (1.3).
_PHONE_FIELDS = ("phonenumber", "partya")


def normalize_result_code(value: object) -> ResultCode:
    """`0` (callback) and `"0"` (query) are the same code (1.4); codes such as `SFC_IC0003` stay strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text):
            return text
    raise WireFormatError(f"ResultCode must be a number or a code such as SFC_IC0003, got {_show(value)}")


def result_code_outcome(code: ResultCode) -> Outcome:
    outcome = RESULT_CODES.get(code)
    if outcome is None:
        log.warning("unknown Daraja ResultCode %r; the outcome stays unknown and will be queried again", code)
        return UNKNOWN
    return outcome


def push_error_outcome(error: ErrorEnvelope) -> Outcome:
    message = error.error_message.lower()
    if error.error_code == OVERLOADED_ERROR_CODE:
        outcome = next((row for fragment, row in PUSH_OVERLOADED_MESSAGES if fragment in message), None)
    elif error.error_code == "400.002.02" and any(name in message.replace(" ", "") for name in _PHONE_FIELDS):
        outcome = Outcome(_S.FAILED, _F.INVALID_PHONE)
    else:
        outcome = PUSH_ERRORS.get(error.error_code)
    if outcome is None:
        log.warning("unknown Daraja error %s (%s) on STK push; the outcome stays unknown", error.error_code,
                    error.error_message)
        return UNKNOWN
    return outcome


def query_error_outcome(error: ErrorEnvelope) -> Outcome:
    """A refused query says nothing about the payment, except Daraja's "still being processed" (1.4)."""
    if error.error_code == OVERLOADED_ERROR_CODE and QUERY_PENDING_MESSAGE in error.error_message.lower():
        return PROCESSING
    log.warning("STK query refused with %s (%s); the outcome stays unknown", error.error_code, error.error_message)
    return UNKNOWN


def http_status_outcome(status_code: int) -> Outcome:
    """An STK push answered by an HTTP error without Daraja's envelope (a proxy, an outage page)."""
    if status_code in (408, 429, 503):
        # Request timeout, rate limit and service unavailable all mean the request was not handled
        # (RFC 9110 §15.5.9, §15.6.4; RFC 6585 §4), so nothing was created.
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if 400 <= status_code < 500:
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    return UNKNOWN  # 500, 502, 504 …: a proxy may have given up while Daraja went on to create the prompt


def callback_url_blocked_words(url: str) -> list[str]:
    lowered = url.lower()
    return [word for word in CALLBACK_URL_BLOCKED_WORDS if word in lowered]


# -- wire shapes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """`GET /oauth/v1/generate` (1.2). `expires_in` arrives as `3599` or `"3599"`."""

    access_token: str = field(repr=False)
    expires_in_seconds: int

    @classmethod
    def from_json(cls, data: object) -> TokenResponse:
        token = _get(data, "access_token")
        if not isinstance(token, str) or not token:
            raise WireFormatError("token response has no access_token")
        try:
            expires_in = int(Decimal(str(_get(data, "expires_in")).strip()))
        except (InvalidOperation, ValueError, OverflowError):
            expires_in = 0
        if expires_in <= 0:
            log.warning("Daraja token response has no usable expires_in; assuming %s s",
                        TOKEN_DEFAULT_EXPIRES_IN_SECONDS)
            expires_in = TOKEN_DEFAULT_EXPIRES_IN_SECONDS
        return cls(access_token=token, expires_in_seconds=expires_in)


@dataclass(frozen=True, slots=True)
class ErrorEnvelope:
    """`{"requestId", "errorCode", "errorMessage"}`, the error body of every Daraja API (1.3)."""

    http_status: int
    error_code: str
    error_message: str
    request_id: str = ""

    @classmethod
    def from_json(cls, data: object, http_status: int) -> ErrorEnvelope | None:
        """The envelope in `data`, or None when `data` is not one."""
        code = _get(data, "errorCode")
        if not isinstance(code, str | int) or isinstance(code, bool) or not str(code).strip():
            return None
        return cls(http_status=http_status, error_code=str(code).strip(),
                   error_message=_text(_get(data, "errorMessage")), request_id=_text(_get(data, "requestId")))


@dataclass(frozen=True, slots=True)
class StkPushResponse:
    """HTTP 200 from `/mpesa/stkpush/v1/processrequest` (1.3). Acceptance only means the prompt was queued."""

    merchant_request_id: str
    checkout_request_id: str
    response_code: ResultCode
    response_description: str
    customer_message: str

    @property
    def accepted(self) -> bool:
        return self.response_code == 0

    @classmethod
    def from_json(cls, data: object) -> StkPushResponse:
        return cls(merchant_request_id=_text(_get(data, "MerchantRequestID")),
                   checkout_request_id=_required_text(data, "CheckoutRequestID"),
                   response_code=normalize_result_code(_get(data, "ResponseCode")),
                   response_description=_text(_get(data, "ResponseDescription")),
                   customer_message=_text(_get(data, "CustomerMessage")))


@dataclass(frozen=True, slots=True)
class StkQueryResponse:
    """HTTP 200 from `/mpesa/stkpushquery/v1/query` (1.4); it never carries the receipt or the amount."""

    merchant_request_id: str
    checkout_request_id: str
    response_code: ResultCode | None
    result_code: ResultCode | None
    result_desc: str

    @classmethod
    def from_json(cls, data: object) -> StkQueryResponse:
        if not isinstance(data, dict):
            raise WireFormatError("STK query response is not a JSON object")
        return cls(merchant_request_id=_text(data.get("MerchantRequestID")),
                   checkout_request_id=_text(data.get("CheckoutRequestID")),
                   response_code=_optional_code(data.get("ResponseCode")),
                   result_code=_optional_code(data.get("ResultCode")),
                   result_desc=_text(data.get("ResultDesc")))


@dataclass(frozen=True, slots=True)
class StkCallback:
    """`Body.stkCallback` as Daraja POSTs it (1.5); `webhooks.py` builds it from the raw body."""

    merchant_request_id: str
    checkout_request_id: str
    result_code: ResultCode
    result_desc: str
    amount: Money | None = None
    receipt_number: str | None = None
    phone_number: str | None = None  # digits, or whatever masked form Daraja sent
    transaction_date: str | None = None  # YYYYMMDDHHmmss in EAT
    metadata: Mapping[str, object] = field(default_factory=dict)  # every CallbackMetadata item with a Value


def _get(data: object, key: str) -> object:
    if not isinstance(data, dict):
        raise WireFormatError(f"expected a JSON object with {key}, got {type(data).__name__}")
    return data.get(key)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _required_text(data: object, key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str) or not value.strip():
        raise WireFormatError(f"{key} must be a non-empty string, got {_show(value)}")
    return value.strip()


def _optional_code(value: object) -> ResultCode | None:
    return None if value is None or value == "" else normalize_result_code(value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
