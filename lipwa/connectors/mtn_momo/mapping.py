"""MTN MoMo's wire shapes and status tables (PROVIDERS.md §2): no HTTP, no flows, no state.

The tables translate MTN's statuses, reasons and HTTP answers into lipwa's vocabulary. Every table is
exhaustive over what PROVIDERS.md documents; a status we do not know maps to UNKNOWN ("query again"), never to
FAILED, because it is not evidence that the customer was not charged (DESIGN.md §7). Such values are logged.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lipwa.common.money import CurrencyError, Money
from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.mtn_momo")

# The documented token lifetime (2.3), assumed when a token response carries no usable expires_in.
TOKEN_DEFAULT_EXPIRES_IN_SECONDS = 3600
# payerMessage and payeeNote are at most 160 characters (2.4).
NOTE_MAX_CHARS = 160
# MSISDN with country code, digits only, no "+" (2.4, 2.11); E.164 allows at most 15 digits.
MSISDN_PATTERN = re.compile(r"[1-9]\d{7,14}")

# The X-Reference-Id of each operation is derived from lipwa's own id of it, so that a retry after a lost answer
# re-uses the reference (409, then a status query) instead of charging twice. The namespace must never change:
# callbacks carry only the externalId (2.6), and the reference is recomputed from it.
REFERENCE_NAMESPACE = uuid.UUID("6f1d3c0e-8a4b-4e52-9c1a-2b7d5e9f0a31")
REQUEST_TO_PAY, TRANSFER, REFUND = "requesttopay", "transfer", "refund"


def x_reference_id(kind: str, operation_id: str) -> str:
    """A UUID v4-shaped X-Reference-Id derived from `operation_id` (an attempt, refund or payout id).

    MTN refuses anything but a version 4 UUID (2.11), so the 122 hash bits of uuid5 are kept and the version
    and variant bits are set as a v4 UUID has them. It is deterministic, not random: that is the point.
    """
    derived = uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{operation_id}")
    return str(uuid.UUID(bytes=derived.bytes, version=4))


def amount_wire(amount: Money) -> str:
    """The `amount` string in major units (2.4): `1000` for UGX 1,000, `10` for EUR 10.00, `10.50` for EUR 10.50.

    Whole amounts are sent without decimals because MTN's zero-decimal currencies take integers only (A, 2.11)
    and that form is valid for every currency.
    """
    return str(amount.whole_major()) if amount.is_whole_major() else amount.major_string()


class WireFormatError(ValueError):
    """An MTN body that is not the shape PROVIDERS.md §2 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason.

    `confirm` means "ask MTN for the status of this reference right away": the answer was an error that
    does not say whether the request was created (2.4).
    """

    status: ResultStatus
    failure_code: FailureCode | None = None
    confirm: bool = False


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)
CONFIRM = Outcome(_S.UNKNOWN, confirm=True)
_CONFIGURATION = Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
# A FAILED status whose reason is missing or new is still an explicit final answer: no money moved.
FAILED_GENERIC = Outcome(_S.FAILED, _F.PROVIDER_DECLINED)

# `status` of a request-to-pay, transfer or refund (2.5, 2.7). FAILED is read with its reason (below).
STATUSES: dict[str, Outcome] = {
    "PENDING": PROCESSING,  # with no reason, ONGOING or PAYER_DELAYED: waiting for the payer (2.7)
    "SUCCESSFUL": Outcome(_S.SUCCEEDED),
}

# `reason` of a FAILED status → outcome. PROVIDERS.md 2.7, every row.
FAILED_REASONS: dict[str, Outcome] = {
    "APPROVAL_REJECTED": Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),  # the payer declined
    "EXPIRED": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # not approved in time (~5 min)
    "TRANSACTION_CANCELED": Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),  # (A) seen in docs lists
    "NOT_ENOUGH_FUNDS": Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),
    "PAYER_LIMIT_REACHED": Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),
    "PAYER_NOT_FOUND": Outcome(_S.FAILED, _F.SUBSCRIBER_NOT_FOUND),  # MSISDN not registered / bad format
    "PAYEE_NOT_FOUND": Outcome(_S.FAILED, _F.SUBSCRIBER_NOT_FOUND),  # the payout's recipient, likewise
    # Configuration: our account may not receive, the target environment or currency is wrong, or the callback
    # host is not the API user's providerCallbackHost (2.4, 2.7).
    "PAYEE_NOT_ALLOWED_TO_RECEIVE": _CONFIGURATION,
    "NOT_ALLOWED": _CONFIGURATION,
    "NOT_ALLOWED_TARGET_ENVIRONMENT": _CONFIGURATION,
    "INVALID_CALLBACK_URL_HOST": _CONFIGURATION,
    "INVALID_CURRENCY": _CONFIGURATION,
    # "Mostly approval timeout (5 min)" per MTN (2.7).
    "COULD_NOT_PERFORM_TRANSACTION": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),
    # Generic; MTN says "predominantly insufficient funds" (2.7), but it is also the sandbox's plain "payer
    # failed" (2.8). Calling it insufficient funds would tell some customers something false, so it is a
    # generic decline and the gateway's message goes with it.
    "INTERNAL_PROCESSING_ERROR": FAILED_GENERIC,
    "SERVICE_UNAVAILABLE": Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE),  # platform trouble, retryable (2.7)
}

# Error `code`s in the body of a refused POST (2.4) that are final refusals: nothing was created.
INITIATE_REFUSALS: dict[str, Outcome] = {
    code: outcome for code, outcome in FAILED_REASONS.items()
    if outcome.status is _S.FAILED and outcome is not FAILED_GENERIC and code != "SERVICE_UNAVAILABLE"
}
# Error codes that do not say whether the request was created (2.4: "INTERNAL_PROCESSING_ERROR → unknown,
# query"; 503 SERVICE_UNAVAILABLE "unknown → retry status later").
INITIATE_UNCERTAIN_CODES = frozenset({"INTERNAL_PROCESSING_ERROR", "SERVICE_UNAVAILABLE"})
# 409: the X-Reference-Id already exists, i.e. we sent this request before (2.4); its status tells the rest.
DUPLICATE_REFERENCE_CODE = "RESOURCE_ALREADY_EXIST"
NOT_FOUND_CODE = "RESOURCE_NOT_FOUND"


def status_outcome(status: str, reason_code: str = "") -> Outcome:
    """The outcome of a status body (2.5, 2.7) or callback (2.6)."""
    if status == "FAILED":
        outcome = FAILED_REASONS.get(reason_code)
        if outcome is None:
            log.warning("MTN reports FAILED with unknown reason %r; recorded as a generic decline", reason_code)
            return FAILED_GENERIC
        return outcome
    outcome = STATUSES.get(status)
    if outcome is None:
        log.warning("unknown MTN status %r; the outcome stays unknown and will be queried again", status)
        return UNKNOWN
    return outcome


def initiate_outcome(http_status: int, code: str = "") -> Outcome:
    """What the answer to a request-to-pay, transfer or refund POST means (2.4)."""
    if http_status == 202:
        return PROCESSING
    if http_status == 409:
        return CONFIRM  # the reference exists: we sent this before, and its status is the answer
    if code in INITIATE_REFUSALS:
        return INITIATE_REFUSALS[code]
    if code in INITIATE_UNCERTAIN_CODES or http_status in (500, 503):
        return CONFIRM
    if http_status in (408, 429):
        # Request timeout and rate limit mean the request was not handled (RFC 9110 §15.5.9, RFC 6585 §4).
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if 400 <= http_status < 500:
        # Bad headers, a refused subscription key or token (after one retry), a wrong path: our configuration.
        return _CONFIGURATION
    log.warning("MTN answered HTTP %s (%r) to a POST; the outcome is unknown and will be queried", http_status, code)
    return UNKNOWN  # 200/201, 502, 504 …: the request may have been created


# -- wire shapes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """`POST /<product>/token/` (2.3): `{"access_token", "token_type", "expires_in": 3600}`."""

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
            log.warning("MTN token response has no usable expires_in; assuming %s s", TOKEN_DEFAULT_EXPIRES_IN_SECONDS)
            expires_in = TOKEN_DEFAULT_EXPIRES_IN_SECONDS
        return cls(access_token=token, expires_in_seconds=expires_in)


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP status with what the body says about it: MTN's `{"code", "message"}`, the API gateway's
    `{"statusCode", "message"}`, the token endpoint's `{"error"}`, or an empty body such as the 202 that accepts
    a request (2.3, 2.4). `code` is "" when the body names none."""

    http_status: int
    code: str = ""
    message: str = ""

    @classmethod
    def from_json(cls, data: object, http_status: int) -> Answer:
        if not isinstance(data, dict):
            return cls(http_status)
        code = data.get("code") or data.get("error") or ""
        return cls(http_status, _text(code).strip(), _text(data.get("message")).strip())


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """The body of a status GET for a request-to-pay, transfer or refund, and of a callback (2.5, 2.6, 2.10).

    `reason` arrives as a bare string (the sandbox) or as `{"code", "message"}` (the published schema); both are
    read. `party_id` is the payer (request-to-pay) or the payee (transfer, refund).
    """

    status: str
    reason_code: str = ""
    reason_message: str = ""
    financial_transaction_id: str = ""
    external_id: str = ""
    amount: Money | None = None
    party_id: str = ""

    @classmethod
    def from_json(cls, data: object) -> TransactionStatus:
        if not isinstance(data, dict):
            raise WireFormatError(f"a status body must be a JSON object, not {json_type(data)}")
        status = data.get("status")
        if not isinstance(status, str) or not status.strip():
            raise WireFormatError(f"status must be a non-empty string, but it is {json_type(status)}")
        reason_code, reason_message = reason_of(data.get("reason"))
        party = data.get("payer") if data.get("payer") is not None else data.get("payee")
        if party is not None and not isinstance(party, dict):
            raise WireFormatError(f"payer must be an object, but it is {json_type(party)}")
        return cls(status=status.strip().upper(), reason_code=reason_code, reason_message=reason_message,
                   financial_transaction_id=_optional_text(data, "financialTransactionId"),
                   external_id=_optional_text(data, "externalId"),
                   amount=money_of(data.get("amount"), data.get("currency")),
                   party_id=_optional_text(party or {}, "partyId"))


def reason_of(value: object) -> tuple[str, str]:
    """`"APPROVAL_REJECTED"` or `{"code": "PAYER_NOT_FOUND", "message": "…"}` → (code, message) (2.5)."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value.strip(), ""
    if isinstance(value, dict) and isinstance(value.get("code", ""), str):
        return value.get("code", "").strip(), _text(value.get("message")).strip()
    raise WireFormatError(f"reason must be a string or an object with a code, but it is {json_type(value)}")


def money_of(amount: object, currency: object) -> Money | None:
    """The `amount` string (major units) and `currency` as exact Money; None when the body has no amount."""
    if amount is None or amount == "":
        return None
    if isinstance(amount, bool) or not isinstance(amount, str | int | Decimal):
        raise WireFormatError(f"amount must be a string, but it is {json_type(amount)}")
    if not isinstance(currency, str):
        raise WireFormatError(f"currency must be a string, but it is {json_type(currency)}")
    try:
        money = Money.from_major(amount, currency.strip())
    except (CurrencyError, ArithmeticError, ValueError):
        raise WireFormatError(f"amount {str(amount)[:20]!r} is not an amount in {currency[:8]!r}") from None
    if money.amount_minor <= 0:
        raise WireFormatError(f"amount {str(amount)[:20]!r} is not positive")
    return money


@dataclass(frozen=True, slots=True)
class ApiUserInfo:
    """`GET /v1_0/apiuser/{id}` (2.2)."""

    provider_callback_host: str
    target_environment: str

    @classmethod
    def from_json(cls, data: object) -> ApiUserInfo:
        return cls(provider_callback_host=_text(_get(data, "providerCallbackHost")),
                   target_environment=_text(_get(data, "targetEnvironment")))


def api_key_of(data: object) -> str:
    """`POST /v1_0/apiuser/{id}/apikey` answers `{"apiKey": "…"}` (2.2)."""
    key = _get(data, "apiKey")
    if not isinstance(key, str) or not key.strip():
        raise WireFormatError("the API key response has no apiKey")
    return key.strip()


def active_of(data: object) -> bool:
    """`GET …/accountholder/msisdn/{msisdn}/active` answers `{"result": true}` (2.9)."""
    result = _get(data, "result")
    if not isinstance(result, bool):
        raise WireFormatError(f"result must be a boolean, but it is {json_type(result)}")
    return result


def holder_name_of(data: object) -> str:
    """The name in `…/basicuserinfo` (2.9; field names A): given_name and family_name, else name."""
    if not isinstance(data, dict):
        return ""
    parts = [_text(data.get(key)).strip() for key in ("given_name", "family_name")]
    return " ".join(part for part in parts if part) or _text(data.get("name")).strip()


def _get(data: object, key: str) -> object:
    if not isinstance(data, dict):
        raise WireFormatError(f"expected a JSON object with {key}, got {json_type(data)}")
    return data.get(key)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _optional_text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WireFormatError(f"{key} must be a string, but it is {json_type(value)}")
    return str(value).strip()


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages an operator can match to the body."""
    if value is None:
        return "missing or null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    names = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)
