"""AzamPay's wire shapes and status tables (PROVIDERS.md §4): no HTTP, no flows, no state.

The tables translate AzamPay's statuses into lipwa's vocabulary. Every table is exhaustive over what
PROVIDERS.md documents (plus our own (P) status-query contract, 4.7), and anything else maps to UNKNOWN
("query again"), never to FAILED: a value we do not know is not evidence that the customer was not charged
(DESIGN.md §7). Such values are logged, so that the table can grow.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.azampay")

CURRENCY = "TZS"
# Whole shillings (4.3, 4.10). The minimum is "commonly TZS 100-1,000" (4.10, A): we refuse below the lower
# end, and let the gateway decline anything its own minimum refuses. No maximum is documented; the bound is a
# sanity limit (A), high on purpose so that it never blocks what a wallet would allow.
AMOUNT_MIN_SHILLINGS = 100
AMOUNT_MAX_SHILLINGS = 10_000_000
# `255` + 9 digits, mobile ranges start with 6 or 7 (4.3 "send 255 + 9 digits", 4.9).
MSISDN_PATTERN = re.compile(r"255[67]\d{8}")
EXTERNAL_ID_MAX_CHARS = 128  # 4.3
# lipwa's network ids (lipwa.common.networks) → AzamPay's `provider` enum (4.3, 4.9). Tigo stays `Tigo` on
# the wire after the Mixx by Yas rebrand (4.3, A). Azampesa is a wallet, not a network: no prefix finds it.
NETWORK_PROVIDERS: dict[str, str] = {
    "vodacom": "Mpesa",
    "tigo": "Tigo",
    "airtel": "Airtel",
    "halotel": "Halopesa",
    "azampesa": "Azampesa",
}
BANK_PROVIDERS = ("CRDB", "NMB")  # bank checkout (4.4)
# The namespace of our externalId / referenceId / externalReferenceId values; fixed forever, because a changed
# namespace would make the status query of an attempt made before the change ask for the wrong id.
EXTERNAL_ID_NAMESPACE = uuid.UUID("6f0d3c1e-8a55-4d1b-9a7c-2f5b8e1d4a90")
# 30 hex characters (120 bits): an SDK documents a 30-character limit on the disbursement reference (4.7, A),
# and one length for every id keeps them recognisable.
EXTERNAL_ID_CHARS = 30
# Assumed when a token response carries no usable `expire`: shorter than the documented ~24 h (4.2), so a
# misread expiry costs an extra token call rather than a refused request.
TOKEN_DEFAULT_LIFETIME_SECONDS = 3600


def external_id(kind: str, operation_id: str) -> str:
    """The id we give AzamPay for an attempt ("charge") or payout ("payout"): the same on every call."""
    return uuid.uuid5(EXTERNAL_ID_NAMESPACE, f"{kind}:{operation_id}").hex[:EXTERNAL_ID_CHARS]


class WireFormatError(ValueError):
    """An AzamPay body that is not the shape PROVIDERS.md §4 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason."""

    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)
SUCCEEDED = Outcome(_S.SUCCEEDED)
DECLINED = Outcome(_S.FAILED, _F.PROVIDER_DECLINED)

# A `failure` does not say why; only its `message` does (4.8: "cancel/timeout not distinguishable; read
# message"). The fragments are matched case-insensitively, first match wins (A: AzamPay's texts are not
# documented; these are the words the MNOs' own messages use, and the simulator's (P) texts contain them).
FAILURE_MESSAGES: tuple[tuple[re.Pattern[str], Outcome], ...] = (
    (re.compile(r"insufficient|not enough (funds|balance)|low balance", re.I), Outcome(_S.FAILED,
                                                                                     _F.INSUFFICIENT_FUNDS)),
    (re.compile(r"cancel|rejected by (the )?(user|customer)|declined by (the )?(user|customer)", re.I),
     Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED)),
    (re.compile(r"time ?out|timed out|expired|no response", re.I), Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT)),
    (re.compile(r"\b(pin|otp)\b", re.I), Outcome(_S.FAILED, _F.WRONG_PIN)),
    (re.compile(r"limit", re.I), Outcome(_S.FAILED, _F.LIMIT_EXCEEDED)),
    (re.compile(r"not registered|subscriber not found|account not found|invalid (msisdn|account)", re.I),
     Outcome(_S.FAILED, _F.SUBSCRIBER_NOT_FOUND)),
)

# `transactionstatus` of the callback (4.6, 4.8) and `data` of the status query (4.7: meaning A; these three
# values are the project's (P) contract, the callback's vocabulary plus "pending"). Lower-cased before lookup.
STATUS_VALUES: dict[str, Outcome | None] = {
    "success": SUCCEEDED,
    "failure": None,  # read the message: failure_outcome
    "pending": PROCESSING,
}


def failure_outcome(message: str) -> Outcome:
    """Why a `failure` failed, from its message; a message we cannot read is a plain decline."""
    for pattern, outcome in FAILURE_MESSAGES:
        if pattern.search(message or ""):
            return outcome
    return DECLINED


def status_outcome(value: object, message: str) -> Outcome:
    """A callback's `transactionstatus` or a status query's `data`, with its message."""
    key = value.strip().lower() if isinstance(value, str) else ""
    if key not in STATUS_VALUES:
        log.warning("unknown AzamPay status %r; the outcome stays unknown and will be queried again", value)
        return UNKNOWN
    return STATUS_VALUES[key] or failure_outcome(message)


def http_status_outcome(status_code: int) -> Outcome:
    """A checkout or disbursement answered with an HTTP error (after one token retry on 401)."""
    if status_code in (408, 429, 503):
        # Request timeout, rate limit and service unavailable all mean the request was not handled
        # (RFC 9110 §15.5.9, §15.6.4; RFC 6585 §4), so nothing was created.
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if status_code in (401, 403, 404, 405, 423):
        # A refused token or API key, or a wrong host or path: an operator must fix the account.
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    if 400 <= status_code < 500:
        return DECLINED  # AzamPay refused the request as sent (4.3: "rejected (→ failed, not sent)")
    return UNKNOWN  # 500, 502, 504 …: a proxy may have given up while AzamPay went on to create the checkout



def refusal_outcome(http_status: int, message: str, *, phone_refused: bool = False) -> Outcome:
    """A checkout, disbursement or query that AzamPay answered with `success: false` or a validation error.

    A refusal in a 2xx or a 400/422 is "rejected (→ failed, not sent)" (4.8); its message may say why. Other
    statuses keep their HTTP meaning (`http_status_outcome`).
    """
    if 200 <= http_status < 300 or http_status in (400, 422):
        if phone_refused:
            return Outcome(_S.FAILED, _F.INVALID_PHONE)
        reason = failure_outcome(message)
        # Nothing was sent to the customer, so "cancelled" or "expired" cannot be what happened.
        return reason if reason.status is _S.FAILED else DECLINED
    return http_status_outcome(http_status)

# -- wire shapes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """`POST /AppRegistration/GenerateToken` (4.2): `data.accessToken` and `data.expire`, an ISO datetime."""

    access_token: str = field(repr=False)
    expires_at: datetime | None  # None when `expire` is missing or unreadable

    @classmethod
    def from_json(cls, data: object) -> TokenResponse:
        inner = _get(data, "data")
        token = _get(inner, "accessToken")
        if not isinstance(token, str) or not token:
            raise WireFormatError("token response has no data.accessToken")
        return cls(access_token=token, expires_at=parse_expiry(_get(inner, "expire")))


def parse_expiry(value: object) -> datetime | None:
    """`2024-06-01T12:00:00Z` (4.2). A time without a zone is read as UTC (A: AzamPay's examples are UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@dataclass(frozen=True, slots=True)
class CheckoutResponse:
    """The answer to an MNO or bank checkout (4.3, 4.4): `{success, transactionId, message}`."""

    http_status: int
    success: bool
    transaction_id: str
    message: str

    @classmethod
    def from_json(cls, data: object, http_status: int) -> CheckoutResponse:
        success = _get(data, "success")
        if not isinstance(success, bool):
            raise WireFormatError(f"checkout response has no boolean success, got {_show(success)}")
        return cls(http_status=http_status, success=success, transaction_id=_text(_get(data, "transactionId")),
                   message=_message(data))


@dataclass(frozen=True, slots=True)
class Envelope:
    """`{data, message, success, statusCode}`: status query, disburse (4.7) and most errors (4.2)."""

    http_status: int
    success: bool
    data: object
    message: str
    status_code: int | None

    @property
    def data_text(self) -> str:
        return self.data.strip() if isinstance(self.data, str) else ""

    @classmethod
    def from_json(cls, data: object, http_status: int) -> Envelope:
        success = _get(data, "success")
        if not isinstance(success, bool):
            raise WireFormatError(f"response has no boolean success, got {_show(success)}")
        code = _get(data, "statusCode")
        status_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        return cls(http_status=http_status, success=success, data=_get(data, "data"), message=_message(data),
                   status_code=status_code)


@dataclass(frozen=True, slots=True)
class ProblemDetails:
    """An ASP.NET validation error `{type, title, status, errors: {field: [messages]}, traceId}` (A: the error
    model of a public SDK); the request was refused before anything was created."""

    http_status: int
    title: str
    errors: dict[str, list[str]]

    @property
    def message(self) -> str:
        details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in sorted(self.errors.items()))
        return f"{self.title} {details}".strip()

    def mentions(self, field_name: str) -> bool:
        return any(field_name.lower() in name.lower() for name in self.errors)

    @classmethod
    def from_json(cls, data: object, http_status: int) -> ProblemDetails | None:
        if not isinstance(data, dict) or not isinstance(data.get("errors"), dict):
            return None
        errors = {str(name): [str(m) for m in (value if isinstance(value, list) else [value])]
                  for name, value in data["errors"].items()}
        return cls(http_status=http_status, title=_text(data.get("title")), errors=errors)


@dataclass(frozen=True, slots=True)
class NameLookupResponse:
    """`POST /api/v1/azampay/namelookup` (4.7): `{name, message, success, accountNumber, bankName}`."""

    success: bool
    name: str
    message: str
    account_number: str
    bank_name: str

    @classmethod
    def from_json(cls, data: object, http_status: int = 200) -> NameLookupResponse:
        success = _get(data, "success")
        if not isinstance(success, bool):
            raise WireFormatError(f"name lookup response has no boolean success, got {_show(success)}")
        return cls(success=success, name=_text(_get(data, "name")).strip(), message=_message(data),
                   account_number=_text(_get(data, "accountNumber")), bank_name=_text(_get(data, "bankName")))


@dataclass(frozen=True, slots=True)
class Callback:
    """The callback AzamPay POSTs after a checkout (4.6); `webhooks.py` builds it from the raw body."""

    utilityref: str  # our externalId / referenceId
    transaction_status: str
    message: str
    reference: str  # AzamPay's transactionId
    operator: str
    msisdn: str
    amount: Decimal | int | str | None
    fsp_reference_id: str


def _get(data: object, key: str) -> object:
    if not isinstance(data, dict):
        raise WireFormatError(f"expected a JSON object with {key}, got {type(data).__name__}")
    return data.get(key)


def _message(data: object) -> str:
    return _text(_get(data, "message"))


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
