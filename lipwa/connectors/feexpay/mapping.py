"""FeexPay's wire shapes and status tables (PROVIDERS.md §5): no HTTP, no flows, no state.

The tables translate FeexPay's vocabulary into lipwa's. Every table is exhaustive over what PROVIDERS.md
documents, and anything else maps to UNKNOWN ("query again"), never to FAILED, except where FeexPay has
explicitly said FAILED: then an unknown `reason` only loses detail (provider_declined), not the answer. Unknown
values are logged, so that the tables can grow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from lipwa.common.money import Money
from lipwa.connectors.types import FailureCode, ResultStatus

from . import catalogue

log = logging.getLogger("lipwa.connectors.feexpay")


class WireFormatError(ValueError):
    """A FeexPay body that is not the shape PROVIDERS.md §5 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason."""

    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)
SUCCEEDED = Outcome(_S.SUCCEEDED)
FAILED_STATUS = "FAILED"

# `status` of a transaction (request to pay answer, status query, webhook) → outcome. PROVIDERS.md 5.3 and 5.6.
# FAILED is read together with `reason` (REASONS).
STATUSES: dict[str, Outcome] = {
    "PENDING": PROCESSING,  # created, the customer has not answered the prompt yet (5.6)
    "SUCCESSFUL": SUCCEEDED,
    "SUCCESS": SUCCEEDED,  # some integrations see this spelling (5.3)
}

# `reason` of a FAILED transaction → outcome (5.3; the A rows are catalogue assumptions).
REASONS: dict[str, Outcome] = {
    catalogue.REASON_LOW_BALANCE: Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),  # V community (5.3)
    catalogue.REASON_PAYER_NOT_FOUND: Outcome(_S.FAILED, _F.SUBSCRIBER_NOT_FOUND),  # V community (5.3)
    catalogue.REASON_CANCELLED: Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),  # A
    catalogue.REASON_TIMEOUT: Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # A
    catalogue.REASON_WRONG_PIN: Outcome(_S.FAILED, _F.WRONG_PIN),  # A
    catalogue.REASON_CARD_DECLINED: Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # A
}
# 5.6 (A): a reason that mentions cancelling or refusing ("annulé", "refusé" and their English forms) means the
# customer said no.
_CANCEL_WORDS = ("CANCEL", "ANNUL", "REFUS", "REJECT", "DECLINED BY")


def status_outcome(status: str, reason: str = "") -> Outcome:
    key = status.strip().upper()
    if key == FAILED_STATUS:
        return failed_outcome(reason)
    outcome = STATUSES.get(key)
    if outcome is None:
        log.warning("unknown FeexPay status %r; the outcome stays unknown and will be queried again", status)
        return UNKNOWN
    return outcome


def failed_outcome(reason: str) -> Outcome:
    """FeexPay said FAILED: that is final whatever the reason; the reason only picks the failure code."""
    key = reason.strip().upper()
    outcome = REASONS.get(key)
    if outcome is not None:
        return outcome
    if any(word in key for word in _CANCEL_WORDS):
        return REASONS[catalogue.REASON_CANCELLED]
    if key:
        log.warning("unknown FeexPay failure reason %r; recorded as provider_declined", reason)
    return Outcome(_S.FAILED, _F.PROVIDER_DECLINED)


def initiate_http_outcome(status_code: int, message: str = "") -> Outcome:
    """A request to pay (or a card link) answered with an HTTP error: what was, or may have been, created."""
    if status_code in (408, 429, 503):
        # Timeout, rate limit and "service unavailable" all mean the request was not handled (RFC 9110 §15.5.9,
        # §15.6.4; RFC 6585 §4): nothing was created, so the merchant may try again.
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if status_code >= 500:
        # 5.2 says a 5xx is an outage with nothing debited, but a proxy's 500/502/504 may come after FeexPay
        # created the request, and without a reference it cannot be asked: unknown, settled by the webhook.
        return UNKNOWN
    if status_code in (400, 422) and "phone" in message.lower():
        return Outcome(_S.FAILED, _F.INVALID_PHONE)
    if 400 <= status_code < 500:
        # Refused before anything was created: a wrong key (401/403), shop, network path (404) or field (422).
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    return UNKNOWN


# -- wire shapes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransactionReply:
    """A transaction as the request to pay (5.2) or the status query (5.3) describes it."""

    reference: str
    status: str
    reason: str = ""
    message: str = ""
    amount: int | Decimal | str | None = None  # whole XOF/XAF as FeexPay wrote it; "not always present" (5.3)

    @classmethod
    def from_json(cls, data: object) -> TransactionReply:
        if not isinstance(data, dict):
            raise WireFormatError(f"expected a JSON object, got {json_type(data)}")
        reference = data.get("reference")
        if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference).strip():
            raise WireFormatError(f"reference must be a non-empty string, got {_show(reference)}")
        status = data.get("status")
        if not isinstance(status, str) or not status.strip():
            raise WireFormatError(f"status must be a non-empty string, got {_show(status)}")
        return cls(reference=str(reference).strip(), status=status.strip(), reason=_text(data.get("reason")),
                   message=_text(data.get("message")) or _text(data.get("responsemsg")),
                   amount=_raw_amount(data.get("amount")))

    @property
    def outcome(self) -> Outcome:
        return status_outcome(self.status, self.reason)


@dataclass(frozen=True, slots=True)
class LinkReply:
    """`POST /feexlink/api-create` → `{"urlPay"}` (5.5); the link id is the URL's last segment (A, catalogue)."""

    url: str
    link_id: str

    @classmethod
    def from_json(cls, data: object) -> LinkReply:
        if not isinstance(data, dict):
            raise WireFormatError(f"expected a JSON object, got {json_type(data)}")
        url = data.get("urlPay")
        if not isinstance(url, str):
            raise WireFormatError(f"urlPay must be a URL, got {_show(url)}")
        parts = urlsplit(url.strip())
        link_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if parts.scheme not in ("http", "https") or not parts.hostname or not link_id:
            raise WireFormatError(f"urlPay must be an http(s) URL ending in the link id, got {_show(url)}")
        return cls(url=url.strip(), link_id=link_id)


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """Any answer that is not a success: FeexPay's errors "can be non-JSON plain text" (5.2)."""

    http_status: int
    message: str

    @classmethod
    def from_body(cls, http_status: int, data: object, text: str) -> ErrorReply:
        message = _text(data.get("message")) if isinstance(data, dict) else ""
        return cls(http_status=http_status, message=(message or text.strip())[:300])


@dataclass(frozen=True, slots=True)
class Webhook:
    """The JSON FeexPay POSTs to the shop's callback URL (5.4); `webhooks.py` builds it from the raw body."""

    reference: str
    status: str
    reason: str = ""
    message: str = ""
    amount: int | Decimal | str | None = None
    phone_number: str | None = None  # digits, country code first
    callback_info: str = ""
    ref_link: str = ""  # the hosted-payment link the payment was made through (A, catalogue)
    webhook_id: str = ""  # (P, catalogue)
    date: str = ""
    network_name: str = ""  # `reseau`, e.g. "MTN CI"
    operator_reference: str = ""  # `ref_operator`: the operator's own id, the one on the customer's receipt (A)

    @property
    def outcome(self) -> Outcome:
        return status_outcome(self.status, self.reason)


def amount_money(value: int | Decimal | str | None, currency: str) -> Money | None:
    """A whole XOF/XAF amount as FeexPay writes it (a JSON number, maybe a numeric string) → Money, exactly."""
    if value is None:
        return None
    try:
        amount = Money.from_major(value, currency)
    except (ArithmeticError, TypeError, ValueError):
        raise WireFormatError(f"amount {str(value)[:20]!r} is not an amount in {currency}") from None
    if amount.amount_minor <= 0:
        raise WireFormatError(f"amount {str(value)[:20]!r} is not positive")
    return amount


def _raw_amount(value: object) -> int | Decimal | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise WireFormatError(f"amount must be a number, got {json_type(value)}")
    # A float here came from a JSON parser without parse_float=Decimal; its text is still the wire's digits.
    return Decimal(repr(value)) if isinstance(value, float) else value


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for error messages that an operator can match to the body."""
    if value is None:
        return "missing or null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    names = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)
