"""Which outcome a simulated request to pay or transfer gets, chosen by the party's MSISDN.

The sandbox's own magic MSISDNs (PROVIDERS.md 2.8) are matched first, in full; then the last three digits select
lipwa's common scenarios (DESIGN.md §6). The two never collide: the magic numbers end in 450-463.
Everything here is pure: no settings, no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

# The sandbox sets delayed requests (…454) to succeed "after ~30 s" (PROVIDERS.md 2.8, A).
DELAYED_EXTRA_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated gateway and customer do with one request."""

    scenario: str
    status: str = "SUCCESSFUL"  # the final status: SUCCESSFUL, FAILED, or PENDING for never
    reason: str = ""
    callbacks: int = 1
    initiate_fails: bool = False
    initiate_hangs: bool = False
    callback_before_response: bool = False
    pending_reason: str = ""
    extra_delay_seconds: float = 0.0

    @property
    def never_final(self) -> bool:
        return self.status == "PENDING"


def _failed(scenario: str, reason: str) -> Outcome:
    return Outcome(scenario, "FAILED", reason)


# DESIGN.md §6, by the last three digits. MTN has no wrong-PIN reason (2.7), so 009 is its generic decline.
BY_SUFFIX: dict[str, Outcome] = {
    "001": _failed("001", "NOT_ENOUGH_FUNDS"),
    "002": _failed("002", "APPROVAL_REJECTED"),
    "003": _failed("003", "EXPIRED"),
    "004": Outcome("004", callbacks=0),
    "005": Outcome("005", callbacks=3),
    "006": Outcome("006", callbacks=0, initiate_fails=True),
    "007": Outcome("007", initiate_hangs=True),
    "008": Outcome("008", callback_before_response=True),
    "009": _failed("009", "INTERNAL_PROCESSING_ERROR"),
}
DEFAULT = Outcome("default")

_ONGOING = Outcome("magic", "PENDING", callbacks=0, pending_reason="ONGOING")
_DELAYED = Outcome("magic", pending_reason="PAYER_DELAYED", extra_delay_seconds=DELAYED_EXTRA_SECONDS)

# The sandbox's request-to-pay use cases (2.8), by the whole MSISDN.
REQUEST_TO_PAY_MAGIC: dict[str, Outcome] = {
    "46733123450": _failed("magic", "INTERNAL_PROCESSING_ERROR"),  # RequestToPayPayerFailed
    "46733123451": _failed("magic", "APPROVAL_REJECTED"),
    "46733123452": _failed("magic", "EXPIRED"),
    "46733123453": _ONGOING,
    "46733123454": _DELAYED,
    "46733123455": _failed("magic", "PAYER_NOT_FOUND"),
    "46733123456": _failed("magic", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),
    "46733123457": _failed("magic", "NOT_ALLOWED"),
    "46733123458": _failed("magic", "NOT_ALLOWED_TARGET_ENVIRONMENT"),
    "46733123459": _failed("magic", "INVALID_CALLBACK_URL_HOST"),
    "46733123460": _failed("magic", "INVALID_CURRENCY"),
    "46733123461": _failed("magic", "INTERNAL_PROCESSING_ERROR"),
    "46733123462": _failed("magic", "SERVICE_UNAVAILABLE"),
    "46733123463": _failed("magic", "COULD_NOT_PERFORM_TRANSACTION"),
}

# The sandbox's transfer use cases: the same numbers in a different order (2.8).
TRANSFER_MAGIC: dict[str, Outcome] = {
    "46733123450": _failed("magic", "INTERNAL_PROCESSING_ERROR"),  # Failed
    "46733123451": _failed("magic", "APPROVAL_REJECTED"),
    "46733123452": _failed("magic", "EXPIRED"),
    "46733123453": _ONGOING,
    "46733123454": _DELAYED,
    "46733123455": _failed("magic", "NOT_ENOUGH_FUNDS"),
    "46733123456": _failed("magic", "PAYER_LIMIT_REACHED"),
    "46733123457": _failed("magic", "PAYEE_NOT_FOUND"),
    "46733123458": _failed("magic", "NOT_ALLOWED"),
    "46733123459": _failed("magic", "NOT_ALLOWED_TARGET_ENVIRONMENT"),
    "46733123460": _failed("magic", "INVALID_CALLBACK_URL_HOST"),
    "46733123461": _failed("magic", "INVALID_CURRENCY"),
    "46733123462": _failed("magic", "INTERNAL_PROCESSING_ERROR"),
    "46733123463": _failed("magic", "SERVICE_UNAVAILABLE"),
}

# The sandbox's account-holder use cases (2.8) → (HTTP status, body). Shapes are ours (P): PROVIDERS.md names
# the use cases but not the answers, so "not found" is MTN's usual 404 and "not active" is `{"result": false}`.
ACCOUNT_HOLDER_MAGIC: dict[str, tuple[int, dict]] = {
    "46733123450": (404, {"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."}),
    "46733123451": (200, {"result": False}),
    "46733123452": (500, {"code": "NOT_ALLOWED", "message": "Authorization failed. Insufficient permissions."}),
    "46733123453": (500, {"code": "NOT_ALLOWED_TARGET_ENVIRONMENT",
                          "message": "Access to target environment is forbidden."}),
    "46733123454": (500, {"code": "INTERNAL_PROCESSING_ERROR", "message": "An internal error occurred."}),
    "46733123455": (503, {"code": "SERVICE_UNAVAILABLE", "message": "Service unavailable."}),
}


def outcome_for_request_to_pay(party_id: str) -> Outcome:
    return REQUEST_TO_PAY_MAGIC.get(party_id) or BY_SUFFIX.get(party_id[-3:], DEFAULT)


def outcome_for_transfer(party_id: str) -> Outcome:
    return TRANSFER_MAGIC.get(party_id) or BY_SUFFIX.get(party_id[-3:], DEFAULT)


def account_holder_answer(msisdn: str) -> tuple[int, dict]:
    return ACCOUNT_HOLDER_MAGIC.get(msisdn, (200, {"result": True}))
