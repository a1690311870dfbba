"""Boundary types between the payments core and every connector.

The core speaks only these types; a connector translates them to and from its gateway's vocabulary.
Nothing here knows a gateway's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lipwa.common.money import Money
from lipwa.common.phones import Phone


class ResultStatus(StrEnum):
    """What a gateway told us about a charge, in lipwa's normalized vocabulary (PROVIDERS.md, top)."""

    PENDING = "pending"  # created, customer not yet prompted
    PROCESSING = "processing"  # prompt sent / in flight
    REQUIRES_ACTION = "requires_action"  # the customer must do something we describe in next_action
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the customer declined the prompt
    EXPIRED = "expired"  # the customer never answered; the gateway gave up
    UNKNOWN = "unknown"  # we cannot tell: query again later

    @property
    def is_final(self) -> bool:
        return self in {ResultStatus.SUCCEEDED, ResultStatus.FAILED, ResultStatus.CANCELLED,
                        ResultStatus.EXPIRED}


class FailureCode(StrEnum):
    """One vocabulary of failure reasons across all gateways (DESIGN.md §6)."""

    INSUFFICIENT_FUNDS = "insufficient_funds"
    CUSTOMER_CANCELLED = "customer_cancelled"
    CUSTOMER_TIMEOUT = "customer_timeout"
    WRONG_PIN = "wrong_pin"
    SUBSCRIBER_NOT_FOUND = "subscriber_not_found"
    LIMIT_EXCEEDED = "limit_exceeded"
    INVALID_PHONE = "invalid_phone"
    PROVIDER_DECLINED = "provider_declined"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    DUPLICATE_REQUEST = "duplicate_request"
    CONFIGURATION_ERROR = "configuration_error"
    ACCOUNT_LOCKED = "account_locked"


class WebhookVerification(StrEnum):
    VERIFIED = "verified"  # signature checked
    UNVERIFIABLE = "unverifiable"  # the gateway signs nothing: confirm by a status query before it counts
    REJECTED = "rejected"  # signature present and wrong, or required and missing


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One field of a connector account's configuration; drives forms and masking."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    default: str | None = None
    help_text: str = ""


@dataclass(frozen=True)
class AccountContext:
    """Everything a connector needs to talk to the gateway for one connector account."""

    account_id: str
    connector: str
    mode: str  # "test" or "live"
    credentials: Mapping[str, str]  # decrypted; never logged
    callback_url: str  # where this account's gateway callbacks must be sent
    timeout_seconds: float = 30.0

    def __repr__(self) -> str:
        return f"AccountContext({self.account_id!r}, {self.connector!r}, {self.mode!r}, credentials=<masked>)"


@dataclass(frozen=True)
class ChargeRequest:
    attempt_id: str  # persisted before the call; connectors derive gateway idempotency keys from it
    payment_id: str
    amount: Money
    phone: Phone | None = None
    merchant_reference: str = ""
    description: str = ""
    customer_name: str = ""
    customer_email: str = ""
    return_url: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    # The payer's mobile network (e.g. "vodacom", ids from lipwa.common.networks), for gateways that serve
    # several networks.
    network: str | None = None
    method: str = ""  # "mobile_money", "card", … as the merchant asked
    # When lipwa stops waiting for the payment; offline rails print it on the customer's instructions.
    expires_at: datetime | None = None


@dataclass(frozen=True)
class SyncRequest:
    """Ask the gateway what became of an earlier charge."""

    attempt_id: str
    gateway_reference: str | None
    amount: Money
    phone: Phone | None = None
    connector_state: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeResult:
    """A gateway's answer, normalized. A decline is a result, not an exception."""

    status: ResultStatus
    gateway_reference: str | None = None
    gateway_status: str = ""  # the gateway's own code, kept for support and reconciliation
    gateway_message: str = ""
    failure_code: FailureCode | None = None
    receipt_number: str | None = None  # e.g. a mobile-money receipt the customer sees
    amount: Money | None = None  # the amount the gateway says moved, when it says
    payer: str | None = None  # the payer the gateway reports (E.164 digits or masked form)
    next_action: Mapping[str, object] | None = None
    connector_state: Mapping[str, str] = field(default_factory=dict)  # kept on the attempt for sync
    raw: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status is ResultStatus.FAILED and self.failure_code is None:
            raise ValueError("a failed result needs a failure_code")


@dataclass(frozen=True)
class InboundRequest:
    """A callback exactly as it arrived; headers are lower-cased."""

    headers: Mapping[str, str]
    body: bytes
    remote_addr: str = ""


@dataclass(frozen=True)
class WebhookParseResult:
    """What a callback says happened to which charge (kind "charge", with `result`) or refund (kind
    "refund", with `operation`; `gateway_reference` is then the refund's reference at the gateway)."""

    gateway_reference: str
    result: ChargeResult | None
    dedupe_key: str  # equal for deliveries of the same event
    kind: str = "charge"
    operation: OperationResult | None = None


@dataclass(frozen=True)
class WebhookAck:
    status_code: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class RefundRequest:
    """Return money for an earlier successful charge (all of it or part)."""

    refund_id: str  # persisted before the call; connectors derive gateway idempotency keys from it
    payment_id: str
    charge_reference: str  # the gateway reference of the successful charge
    amount: Money
    receipt_number: str | None = None
    phone: Phone | None = None
    reason: str = ""
    charge_state: Mapping[str, str] = field(default_factory=dict)  # the charge attempt's connector_state


@dataclass(frozen=True)
class PayoutRequest:
    """Send money to a mobile wallet (disbursement, B2C)."""

    payout_id: str  # persisted before the call; connectors derive gateway idempotency keys from it
    amount: Money
    phone: Phone
    recipient_name: str = ""
    description: str = ""
    network: str | None = None


@dataclass(frozen=True)
class OperationSyncRequest:
    """Ask the gateway what became of an earlier refund or payout."""

    operation_id: str  # the refund_id or payout_id
    gateway_reference: str | None
    amount: Money
    connector_state: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationResult:
    """A gateway's answer to a refund or payout, normalized like ChargeResult."""

    status: ResultStatus
    gateway_reference: str | None = None
    gateway_status: str = ""
    gateway_message: str = ""
    failure_code: FailureCode | None = None
    connector_state: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status is ResultStatus.FAILED and self.failure_code is None:
            raise ValueError("a failed result needs a failure_code")


@dataclass(frozen=True)
class AccountHolder:
    """What a gateway's name lookup says about a wallet or bank account."""

    found: bool
    name: str = ""
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What a credentials probe learnt: whether the gateway accepted the account's credentials, in words an
    operator can act on (never a secret)."""

    passed: bool
    message: str
