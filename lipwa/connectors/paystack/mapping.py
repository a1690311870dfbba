"""Paystack's wire shapes and status tables (PROVIDERS.md §6): no HTTP, no flows, no state.

Every table is exhaustive over what PROVIDERS.md documents. A status we do not know maps to UNKNOWN ("query
again"), never to FAILED, and is logged so that the table can grow. A `failed` transaction is a failure even
when its `gateway_response` text is new to us: the status itself is Paystack's explicit answer, the text only
refines the reason.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lipwa.common.money import Money, currency_exponent
from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.paystack")

# PROVIDERS.md 6.2: the currencies Paystack takes, each in subunits (kobo, pesewas, cents) = ×100. XOF is
# only an assumption there (A), so it is not offered.
SUBUNITS_PER_MAJOR: dict[str, int] = {"NGN": 100, "GHS": 100, "KES": 100, "ZAR": 100, "USD": 100}
CURRENCIES = frozenset(SUBUNITS_PER_MAJOR)
COUNTRIES = frozenset({"NG", "GH", "KE", "ZA", "CI"})
# lipwa network id → the Charge API's `mobile_money.provider` (6.4). `tgo` is legacy (A) and `mptill` needs a
# till account rather than a payer phone, so neither is a payer network here.
NETWORK_PROVIDERS: dict[str, str] = {"mtn": "mtn", "telecel": "vod", "airteltigo": "atl", "safaricom": "mpesa"}
# Where each network is charged and in which currency (6.4: `mpesa` needs `currency: KES`; the Ghanaian
# networks charge cedis). MTN Côte d'Ivoire would need XOF, which is not offered (see above).
NETWORK_COUNTRY: dict[str, str] = {"mtn": "GH", "telecel": "GH", "airteltigo": "GH", "safaricom": "KE"}
COUNTRY_CURRENCY: dict[str, str] = {"GH": "GHS", "KE": "KES"}
# Transaction references: alphanumerics plus `-`, `.`, `=` (6.2).
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9.=-]+")
REFERENCE_PREFIX = "lipwa-"


class WireFormatError(ValueError):
    """A Paystack body that is not the shape PROVIDERS.md §6 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)

# Transaction `status` (verify, charge, charge_authorization, webhook) → outcome. PROVIDERS.md 6.3 and 6.4.
TRANSACTION_STATUSES: dict[str, Outcome] = {
    "success": Outcome(_S.SUCCEEDED),
    "failed": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # refined by gateway_response (GATEWAY_RESPONSES)
    # The initial state of an initialized transaction, and a checkout the customer left (6.3): nothing has
    # been decided, so lipwa keeps waiting until its own expiry.
    "abandoned": Outcome(_S.PENDING),
    "ongoing": PROCESSING,  # the customer is mid-flow: OTP, mobile-money prompt (6.3)
    "pending": PROCESSING,
    "processing": PROCESSING,
    "queued": PROCESSING,
    # Refunded or reversed after success (6.3): the charge did succeed; the refund is recorded separately.
    "reversed": Outcome(_S.SUCCEEDED),
    # Charge API steps (6.3, 6.4): the customer must act; the connector turns these into REQUIRES_ACTION
    # with a next_action where it can describe the action.
    "send_otp": PROCESSING,
    "send_pin": PROCESSING,
    "send_birthday": PROCESSING,
    "send_phone": PROCESSING,
    "open_url": PROCESSING,
    "pay_offline": PROCESSING,
}
# Statuses in which the customer (not Paystack) must act next; a stored next_action stays valid in them.
AWAITING_CUSTOMER = frozenset({"abandoned", "ongoing", "send_otp", "send_pin", "send_birthday", "send_phone",
                               "open_url", "pay_offline"})

# `gateway_response` of a failed transaction, lower-cased → outcome. "Declined" and "Insufficient Funds" are
# the examples PROVIDERS.md 6.3 gives; the other texts are assumptions (A) that the simulator shares.
GATEWAY_RESPONSES: dict[str, Outcome] = {
    "insufficient funds": Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),
    "declined": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),
    "do not honor": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # the ISO 8583 issuer refusal (A)
    "incorrect pin": Outcome(_S.FAILED, _F.WRONG_PIN),  # (A)
    # A wrong OTP is the customer failing to authenticate, which is what WRONG_PIN stands for (A).
    "incorrect otp": Outcome(_S.FAILED, _F.WRONG_PIN),
    "transaction cancelled by customer": Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),  # (A)
    "transaction timed out": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # the prompt was never answered (A)
}

# Refund `status` → outcome. PROVIDERS.md 6.6 (A; the names match the refund.* webhooks).
REFUND_STATUSES: dict[str, Outcome] = {
    "pending": Outcome(_S.PENDING),
    "processing": PROCESSING,
    "processed": Outcome(_S.SUCCEEDED),
    "failed": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),
    # Paystack wants the merchant to act on its dashboard (e.g. give the customer's bank account); the
    # refund is not final, and a person must look.
    "needs-attention": Outcome(_S.REQUIRES_ACTION),
}


def transaction_outcome(status: str, gateway_response: str = "") -> Outcome:
    if status == "failed":
        outcome = GATEWAY_RESPONSES.get(gateway_response.strip().lower())
        if outcome is None:
            log.info("Paystack declined with gateway_response %r; reported as provider_declined", gateway_response)
            return TRANSACTION_STATUSES["failed"]
        return outcome
    outcome = TRANSACTION_STATUSES.get(status)
    if outcome is None:
        log.warning("unknown Paystack transaction status %r; the outcome stays unknown and will be queried again",
                    status)
        return UNKNOWN
    return outcome


def refund_outcome(status: str) -> Outcome:
    outcome = REFUND_STATUSES.get(status)
    if outcome is None:
        log.warning("unknown Paystack refund status %r; it stays unknown and will be queried again", status)
        return UNKNOWN
    return outcome


def charge_next_action(status: str, display_text: str, url: str = "") -> dict[str, str] | None:
    """What the customer must do for a Charge API step (6.4), as lipwa's next_action; None if nothing."""
    if status == "send_otp":
        return {"type": "send_otp", "text": display_text or "Enter the one-time code sent to you."}
    if status == "pay_offline":
        # A USSD push: the customer authorizes on the phone, and the webhook or verify tells the result (6.4).
        return {"type": "display_instructions",
                "text": display_text or "Please complete authorization process on your mobile phone"}
    if status == "open_url" and url:
        return {"type": "redirect", "url": url}
    if status in ("send_pin", "send_birthday", "send_phone"):
        return {"type": status, "text": display_text}
    return None


def initiate_error_outcome(error: ApiError) -> Outcome:
    """A refused initialize / charge / charge_authorization (`"status": false`, 6.1)."""
    message = error.message.lower()
    if error.http_status == 400 and "duplicate transaction reference" in message:
        # The reference is permanent and ours (6.9): an earlier call with it landed, so verify tells the rest.
        return UNKNOWN
    if error.http_status == 400 and "phone" in message:
        return Outcome(_S.FAILED, _F.INVALID_PHONE)
    if error.http_status in (400, 401, 403, 404, 405, 422):
        # A refused request created nothing; a wrong key (401) or path (404) is the operator's to fix.
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    return http_status_outcome(error.http_status)


def refund_error_outcome(error: ApiError) -> Outcome:
    if error.http_status in (401, 403):
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    if error.http_status in (400, 404, 422):
        # "already fully reversed", "amount greater than transaction", "transaction not found": refused, no refund.
        return Outcome(_S.FAILED, _F.PROVIDER_DECLINED)
    return http_status_outcome(error.http_status)


def http_status_outcome(status_code: int) -> Outcome:
    """An HTTP error that says nothing more (a proxy, an outage page, a 5xx envelope)."""
    if status_code in (408, 429, 503):
        # Request timeout, rate limit and service unavailable mean the request was not handled (RFC 9110
        # §15.5.9, §15.6.4; RFC 6585 §4), so nothing was created.
        return Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
    if 400 <= status_code < 500:
        return Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)
    return UNKNOWN  # 500, 502, 504 …: Paystack may have created the transaction; verify by reference


# -- amounts ----------------------------------------------------------------------------------------------


def wire_amount(money: Money) -> int:
    """Paystack's integer subunits for `money` (6.2); exact, or ValueError for a currency it does not take."""
    per_major = SUBUNITS_PER_MAJOR.get(money.currency)
    if per_major is None:
        raise ValueError(f"Paystack does not take {money.currency}")
    scale = 10 ** money.exponent
    if (money.amount_minor * per_major) % scale:
        raise ValueError(f"{money} cannot be written in Paystack subunits")
    return money.amount_minor * per_major // scale


def money_from_wire(value: int, currency: str) -> Money:
    """Subunits from Paystack back to lipwa's minor units (the same number for every currency offered)."""
    per_major = SUBUNITS_PER_MAJOR.get(currency)
    if per_major is None:
        raise WireFormatError(f"currency {currency!r} is not one Paystack takes")
    scale = 10 ** currency_exponent(currency)
    if (value * scale) % per_major:
        raise WireFormatError(f"{value} subunits of {currency} is finer than its minor unit")
    return Money(value * scale // per_major, currency)


def parse_wire_amount(value: object, field: str = "amount") -> int | None:
    """An integer amount; Paystack sends numbers, and some answers (refunds) numeric strings (6.9)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise WireFormatError(f"{field} must be an integer, got a boolean")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,20}", value.strip()):
        return int(value.strip())
    raise WireFormatError(f"{field} must be an integer number of subunits, got {_show(value)}")


# -- wire shapes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiError:
    """`{"status": false, "message": …}`, Paystack's refusal on any HTTP status (6.1)."""

    http_status: int
    message: str

    @classmethod
    def from_json(cls, data: object, http_status: int) -> ApiError | None:
        if not isinstance(data, dict) or data.get("status") is not False:
            return None
        return cls(http_status=http_status, message=_text(data.get("message")))


@dataclass(frozen=True, slots=True)
class InitializeData:
    """`data` of `POST /transaction/initialize` (6.2)."""

    authorization_url: str
    access_code: str
    reference: str

    @classmethod
    def from_json(cls, data: object) -> InitializeData:
        url = _required_text(data, "authorization_url")
        if not url.startswith(("https://", "http://")):
            raise WireFormatError("authorization_url is not an http(s) URL")
        return cls(authorization_url=url, access_code=_text(_get(data, "access_code")),
                   reference=_required_text(data, "reference"))


@dataclass(frozen=True, slots=True)
class Authorization:
    """A card (or wallet) authorization; `authorization_code` charges it again when `reusable` (6.3, 6.5)."""

    authorization_code: str
    reusable: bool
    channel: str = ""
    last4: str = ""
    brand: str = ""

    @classmethod
    def from_json(cls, data: object) -> Authorization | None:
        if not isinstance(data, dict) or not isinstance(data.get("authorization_code"), str):
            return None  # an unpaid transaction carries `{}` or nothing
        return cls(authorization_code=data["authorization_code"], reusable=data.get("reusable") is True,
                   channel=_text(data.get("channel")), last4=_text(data.get("last4")),
                   brand=_text(data.get("brand")))


@dataclass(frozen=True, slots=True)
class Transaction:
    """A Transaction, as verify, the Charge API, charge_authorization and webhooks return it (6.3-6.5, 6.7)."""

    reference: str
    status: str
    amount: int | None = None
    currency: str = ""
    gateway_response: str = ""
    display_text: str = ""
    url: str = ""  # open_url's page (6.3)
    id: str = ""
    domain: str = ""
    channel: str = ""
    customer_email: str = ""
    receipt_number: str = ""
    authorization: Authorization | None = None

    @classmethod
    def from_json(cls, data: object) -> Transaction:
        status = _required_text(data, "status")
        customer = _get(data, "customer")
        transaction_id = _get(data, "id")
        return cls(
            reference=_required_text(data, "reference"), status=status,
            amount=parse_wire_amount(_get(data, "amount")), currency=_text(_get(data, "currency")).upper(),
            gateway_response=_text(_get(data, "gateway_response")),
            display_text=_text(_get(data, "display_text")), url=_text(_get(data, "url")),
            id="" if transaction_id is None or isinstance(transaction_id, bool) else str(transaction_id),
            domain=_text(_get(data, "domain")), channel=_text(_get(data, "channel")),
            customer_email=_text(customer.get("email")) if isinstance(customer, dict) else "",
            receipt_number=_text(_get(data, "receipt_number")),
            authorization=Authorization.from_json(_get(data, "authorization")),
        )

    def money(self) -> Money | None:
        if self.amount is None or self.currency not in SUBUNITS_PER_MAJOR:
            return None
        return money_from_wire(self.amount, self.currency)


@dataclass(frozen=True, slots=True)
class Refund:
    """A Refund (6.6). `transaction` arrives as an id, a reference or an object with both (A)."""

    id: str
    status: str
    amount: int | None = None
    currency: str = ""
    transaction_reference: str = ""
    merchant_note: str = ""

    @classmethod
    def from_json(cls, data: object) -> Refund:
        refund_id = _get(data, "id")
        if refund_id is None or isinstance(refund_id, bool) or not str(refund_id).strip():
            raise WireFormatError("refund has no id")
        transaction = _get(data, "transaction")
        reference = (transaction.get("reference") if isinstance(transaction, dict)
                     else _get(data, "transaction_reference"))
        return cls(id=str(refund_id).strip(), status=_required_text(data, "status"),
                   amount=parse_wire_amount(_get(data, "amount")), currency=_text(_get(data, "currency")).upper(),
                   transaction_reference=_text(reference), merchant_note=_text(_get(data, "merchant_note")))


def _get(data: object, key: str) -> object:
    if not isinstance(data, dict):
        raise WireFormatError(f"expected a JSON object with {key}, got {type(data).__name__}")
    return data.get(key)


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _required_text(data: object, key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str) or not value.strip():
        raise WireFormatError(f"{key} must be a non-empty string, got {_show(value)}")
    return value.strip()


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
