"""Airtel Money's wire shapes and status tables (PROVIDERS.md §3): no HTTP, no flows, no state.

The tables translate Airtel's codes into lipwa's vocabulary. Every table is exhaustive over what PROVIDERS.md
documents, and anything else maps to UNKNOWN ("query again"), never to FAILED: a code we do not know is not
evidence that the customer was not charged (DESIGN.md §7). Such codes are logged, so that the table can grow.
Airtel answers refusals with HTTP 200 and `status.success: false` (§3.4), so the HTTP status alone never
decides anything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lipwa.connectors.types import FailureCode, ResultStatus

log = logging.getLogger("lipwa.connectors.airtel")

# X-Country → the currencies Airtel takes there (PROVIDERS.md §3.9; CD takes CDF and USD).
COUNTRY_CURRENCIES: dict[str, frozenset[str]] = {
    "UG": frozenset({"UGX"}), "KE": frozenset({"KES"}), "TZ": frozenset({"TZS"}), "RW": frozenset({"RWF"}),
    "ZM": frozenset({"ZMW"}), "MW": frozenset({"MWK"}), "CD": frozenset({"CDF", "USD"}),
    "CG": frozenset({"XAF"}), "GA": frozenset({"XAF"}), "NE": frozenset({"XOF"}), "NG": frozenset({"NGN"}),
    "TD": frozenset({"XAF"}), "MG": frozenset({"MGA"}), "SC": frozenset({"SCR"}),
}
COUNTRIES = frozenset(COUNTRY_CURRENCIES)
CURRENCIES = frozenset(currency for currencies in COUNTRY_CURRENCIES.values() for currency in currencies)
# The documented token lifetime (§3.2), assumed when a token response carries no usable expires_in.
TOKEN_DEFAULT_EXPIRES_IN_SECONDS = 180


class WireFormatError(ValueError):
    """An Airtel body that is not the shape PROVIDERS.md §3 describes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A row of a status table: lipwa's status and, for a final non-success, the normalized reason."""

    status: ResultStatus
    failure_code: FailureCode | None = None


_S, _F = ResultStatus, FailureCode
UNKNOWN = Outcome(_S.UNKNOWN)
PROCESSING = Outcome(_S.PROCESSING)
SUCCEEDED = Outcome(_S.SUCCEEDED)
NOT_SENT_UNAVAILABLE = Outcome(_S.FAILED, _F.PROVIDER_UNAVAILABLE)
NOT_SENT_CONFIGURATION = Outcome(_S.FAILED, _F.CONFIGURATION_ERROR)

# `data.transaction.status` of the enquiry, and `status_code` of the callback (PROVIDERS.md §3.5).
# TF is resolved by the response code (see transaction_outcome); it is not in this table.
TRANSACTION_STATUSES: dict[str, Outcome] = {
    "TS": SUCCEEDED,
    "TA": UNKNOWN,  # "ambiguous": keep enquiring (§3.5, §3.10)
    "TIP": PROCESSING,
    "TE": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),
    "TI": PROCESSING,  # "initiated", seen in the wild (§3.5)
}
FAILED_STATUS = "TF"
# `data.transaction.status` of an accepted collection or refund request (§3.4, §3.7): not a payment status.
ACCEPTED_STATUS = "SUCCESS"

# `status.response_code` of the collection APIs, series DP008 (PROVIDERS.md §3.5, every row).
COLLECTION_CODES: dict[str, Outcome] = {
    "DP00800001000": UNKNOWN,  # ambiguous, still processing: enquire
    "DP00800001001": SUCCEEDED,
    "DP00800001002": Outcome(_S.FAILED, _F.WRONG_PIN),
    "DP00800001003": Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # exceeds the withdrawal limit
    # "Invalid amount (below minimum)": a limit, as Daraja's "declined due to limit rule" is in the M-Pesa table.
    "DP00800001004": Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),
    "DP00800001005": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # the user didn't enter the PIN
    "DP00800001006": PROCESSING,  # in process: the push was accepted
    "DP00800001007": Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),
    # "Refused": the customer refused the prompt (§3.5; it may also be a system refusal, A).
    "DP00800001008": Outcome(_S.CANCELLED, _F.CUSTOMER_CANCELLED),
    "DP00800001009": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # "do not honor", a generic refusal
    # "Not permitted to payee (barred/not registered)": Airtel declined; which party is barred is not said.
    "DP00800001010": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),
    "DP00800001024": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),  # timed out
    # "Transaction not found": on an enquiry the request was never created, or not yet visible (§3.5); the
    # core keeps asking until the payment expires rather than fail a payment that may still appear.
    "DP00800001025": UNKNOWN,
    # The x-signature did not match the body: refused before anything was created (§3.3).
    "DP00800001026": NOT_SENT_CONFIGURATION,
    "DP00800001029": Outcome(_S.EXPIRED, _F.CUSTOMER_TIMEOUT),
}

# `status.response_code` of the disbursement APIs, series DP009 (PROVIDERS.md §3.5, every row).
DISBURSEMENT_CODES: dict[str, Outcome] = {
    "DP00900001000": UNKNOWN,  # ambiguous: enquire
    "DP00900001001": SUCCEEDED,
    "DP00900001003": Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # daily limit
    "DP00900001004": Outcome(_S.FAILED, _F.LIMIT_EXCEEDED),  # invalid amount (as DP00800001004)
    "DP00900001005": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # "failed", no reason given
    "DP00900001006": PROCESSING,
    "DP00900001007": Outcome(_S.FAILED, _F.INSUFFICIENT_FUNDS),  # the merchant's disbursement wallet
    "DP00900001009": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),  # invalid initiatee: our app or wallet
    "DP00900001010": Outcome(_S.FAILED, _F.CONFIGURATION_ERROR),  # the payer (our wallet) is not allowed
    "DP00900001011": Outcome(_S.FAILED, _F.DUPLICATE_REQUEST),  # a similar transaction exists
    "DP00900001012": Outcome(_S.FAILED, _F.INVALID_PHONE),
    "DP00900001013": Outcome(_S.FAILED, _F.PROVIDER_DECLINED),  # refused
    "DP00900001014": UNKNOWN,  # timed out: the outcome is unknown, enquire (§3.5)
    "DP00900001015": UNKNOWN,  # not found, as DP00800001025
    "DP00900001016": NOT_SENT_CONFIGURATION,  # forbidden: signature mismatch (§3.3)
    "DP00900001017": UNKNOWN,  # duplicate transaction id: an earlier send of ours exists, enquire (§3.5)
}

# The user enquiry (KYC) answers DP02200000001 when the wallet exists and DP02200000000 otherwise (§3.5).
USER_FOUND_CODE = "DP02200000001"
USER_NOT_FOUND_CODE = "DP02200000000"
# The encryption-key call answers DP02010001001; DP02010001000 means the key could not be fetched (§3.3).
KEY_FOUND_CODE = "DP02010001001"


def code_outcome(table: Mapping[str, Outcome], code: str, what: str) -> Outcome:
    outcome = table.get(code)
    if outcome is None:
        log.warning("unknown Airtel %s response code %r; the outcome stays unknown and will be queried again",
                    what, code)
        return UNKNOWN
    return outcome


def transaction_outcome(status: str, response_code: str, table: Mapping[str, Outcome], what: str) -> Outcome:
    """A transaction status (TS, TF, TA, …) read together with the response code that explains it.

    TF says that the payment failed but only the response code says why (§3.5: "read message / response_code
    for cancel vs failure"). A TF whose code is not a known failure is still a failure, with the generic
    reason; a TF whose code claims success or progress contradicts itself and is queried again.
    """
    if status == FAILED_STATUS:
        explained = table.get(response_code)
        if explained is None:
            log.warning("Airtel %s says TF with response code %r; failing with the generic reason", what,
                        response_code)
            return Outcome(_S.FAILED, _F.PROVIDER_DECLINED)
        if explained.status.is_final and explained.status is not _S.SUCCEEDED:
            return explained
        log.warning("Airtel %s says TF but response code %s says %s; querying again", what, response_code,
                    explained.status)
        return UNKNOWN
    outcome = TRANSACTION_STATUSES.get(status)
    if outcome is None:
        log.warning("unknown Airtel %s transaction status %r; the outcome stays unknown", what, status)
        return UNKNOWN
    return outcome


def reply_outcome(reply: ApiResponse, table: Mapping[str, Outcome], what: str) -> Outcome:
    """An enquiry's or a disbursement's answer: the transaction status when there is one (TS, TF, TA …), else
    the response code, else the HTTP status of an answer without either."""
    status = reply.transaction.status if reply.transaction else ""
    if status in TRANSACTION_STATUSES or status == FAILED_STATUS:
        return transaction_outcome(status, reply.response_code, table, what)
    if reply.response_code:
        return code_outcome(table, reply.response_code, what)
    if reply.http_status != 200:
        return http_status_outcome(reply.http_status)
    log.warning("Airtel %s answer has neither a known transaction status (%r) nor a response code", what, status)
    return UNKNOWN


def collection_outcome(reply: ApiResponse) -> Outcome:
    """The answer to a USSD push (§3.4). `"status": "SUCCESS"` / DP00800001006 only mean the push was
    accepted, so the best a push can say is PROCESSING: success is for the enquiry or the callback to tell."""
    success = reply.status.success if reply.status else None
    accepted = reply.transaction is not None and reply.transaction.status == ACCEPTED_STATUS
    if reply.http_status == 200 and success is not False and accepted:
        return PROCESSING
    outcome = reply_outcome(reply, COLLECTION_CODES, "collection")
    return PROCESSING if outcome.status is _S.SUCCEEDED else outcome


def refund_outcome(reply: ApiResponse) -> Outcome:
    """The answer to a refund (§3.7). Its documented sample says `"status": "SUCCESS"` next to
    `"success": false`, so an accepted refund stays unknown (§3.7: "treat refund outcome as unknown"); only an
    explicit refusal code is final."""
    if reply.transaction is not None and reply.transaction.status == ACCEPTED_STATUS:
        return UNKNOWN
    outcome = reply_outcome(reply, COLLECTION_CODES, "refund")
    if outcome.status is _S.FAILED:
        return outcome
    if outcome.status.is_final and outcome.status is not _S.SUCCEEDED:
        # "Refused" or "expired" are customer words for a charge; for a refund they are Airtel's refusal.
        return Outcome(_S.FAILED, _F.PROVIDER_DECLINED)
    return UNKNOWN


def http_status_outcome(status_code: int) -> Outcome:
    """An answer without Airtel's status block (a proxy, an outage page, a 5xx before processing)."""
    if status_code in (408, 429, 503):
        # Request timeout, rate limit and service unavailable all mean the request was not handled
        # (RFC 9110 §15.5.9, §15.6.4; RFC 6585 §4), so nothing was created.
        return NOT_SENT_UNAVAILABLE
    if 400 <= status_code < 500 and status_code != 409:
        return NOT_SENT_CONFIGURATION
    return UNKNOWN  # 409, 500, 502, 504 …: the request may have been acted on


# -- wire shapes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """`POST /auth/oauth2/token` (§3.2). `expires_in` arrives as the string `"180"`."""

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
            log.warning("Airtel token response has no usable expires_in; assuming %s s",
                        TOKEN_DEFAULT_EXPIRES_IN_SECONDS)
            expires_in = TOKEN_DEFAULT_EXPIRES_IN_SECONDS
        return cls(access_token=token, expires_in_seconds=expires_in)


@dataclass(frozen=True, slots=True)
class StatusBlock:
    """`status` of every Airtel answer: `{code, message, result_code, response_code, success}` (§3.4)."""

    code: str
    message: str
    result_code: str
    response_code: str
    success: bool | None

    @classmethod
    def from_json(cls, data: object) -> StatusBlock | None:
        if not isinstance(data, dict):
            return None
        success = data.get("success")
        if isinstance(success, str):  # some gateways write booleans as strings; "false" must not read as true
            success = {"true": True, "false": False}.get(success.strip().lower())
        return cls(code=_text(data.get("code")), message=_text(data.get("message")),
                   result_code=_text(data.get("result_code")), response_code=_text(data.get("response_code")),
                   success=success if isinstance(success, bool) else None)


@dataclass(frozen=True, slots=True)
class TransactionData:
    """`data.transaction` of the collection, enquiry, refund and disbursement answers (§3.4, §3.5, §3.7, §3.8).

    The collection sample echoes `"id": false` (§3.4), so `id` is only ever compared, never trusted."""

    id: str
    status: str
    airtel_money_id: str
    message: str
    reference_id: str

    @classmethod
    def from_json(cls, data: object) -> TransactionData | None:
        if not isinstance(data, dict):
            return None
        raw_id = data.get("id")
        return cls(id=raw_id.strip() if isinstance(raw_id, str) else "", status=_text(data.get("status")).upper(),
                   airtel_money_id=_text(data.get("airtel_money_id")), message=_text(data.get("message")),
                   reference_id=_text(data.get("reference_id")))


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """Any Airtel API answer: the status block and `data` (with `data.transaction` read when present)."""

    http_status: int
    status: StatusBlock | None
    transaction: TransactionData | None
    data: Mapping[str, object]

    @property
    def response_code(self) -> str:
        return self.status.response_code if self.status else ""

    @property
    def message(self) -> str:
        if self.transaction and self.transaction.message:
            return self.transaction.message
        return self.status.message if self.status else ""

    @classmethod
    def from_json(cls, data: object, http_status: int) -> ApiResponse:
        if not isinstance(data, dict):
            raise WireFormatError(f"expected a JSON object, got {type(data).__name__}")
        status = StatusBlock.from_json(data.get("status"))
        payload = data.get("data")
        if status is None and not isinstance(payload, dict):
            raise WireFormatError("the answer has neither Airtel's status block nor data")
        payload = payload if isinstance(payload, dict) else {}
        return cls(http_status=http_status, status=status, data=payload,
                   transaction=TransactionData.from_json(payload.get("transaction")))


@dataclass(frozen=True, slots=True)
class EncryptionKey:
    """`GET /v1/rsa/encryption-keys` (§3.3): base64 DER SPKI RSA public key, cached until `valid_upto`."""

    key_id: str
    key_b64: str
    valid_upto: str

    @classmethod
    def from_response(cls, response: ApiResponse) -> EncryptionKey:
        key = response.data.get("key")
        if response.response_code and response.response_code != KEY_FOUND_CODE:
            raise WireFormatError(f"the encryption-key call answered {response.response_code}")
        if not isinstance(key, str) or not key.strip():
            raise WireFormatError("the encryption-key answer has no data.key")
        return cls(key_id=_text(response.data.get("key_id")), key_b64=key.strip(),
                   valid_upto=_text(response.data.get("valid_upto")))


@dataclass(frozen=True, slots=True)
class Callback:
    """The body Airtel POSTs to the app's callback URL (§3.6); `webhooks.py` builds it from the raw body."""

    transaction_id: str
    status_code: str
    message: str
    airtel_money_id: str
    hash: str | None


def _get(data: object, key: str) -> object:
    if not isinstance(data, dict):
        raise WireFormatError(f"expected a JSON object with {key}, got {type(data).__name__}")
    return data.get(key)


def _text(value: object) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()
