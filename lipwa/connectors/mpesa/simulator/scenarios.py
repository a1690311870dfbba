"""Which outcome a simulated STK push gets, chosen by the last three digits of the prompted phone.

Everything here is pure: no settings, no clock, no I/O, so the table can be tested on its own and read
as the specification of the scenarios listed in the package docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# ResultDesc texts as Daraja writes them (PROVIDERS.md 1.5 and 1.6).
RESULT_DESCS: dict[int, str] = {
    0: "The service request is processed successfully.",
    1: "The balance is insufficient for the transaction.",
    1025: "An error occurred while sending a push request.",
    1032: "Request cancelled by user",
    1037: "DS timeout user cannot be reached",
    2001: "The initiator information is invalid.",
}

# PROVIDERS.md 1.9: longer values reach the handset prompt and make Daraja fail the push with 1025.
ACCOUNT_REFERENCE_MAX_CHARS = 12
TRANSACTION_DESC_MAX_CHARS = 13


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated gateway and customer do with one STK push."""

    scenario: str
    result_code: int
    callbacks: int = 1
    initiate_fails: bool = False
    initiate_hangs: bool = False
    callback_before_response: bool = False

    @property
    def result_desc(self) -> str:
        return RESULT_DESCS[self.result_code]

    @property
    def succeeded(self) -> bool:
        return self.result_code == 0


_DEFAULT = Outcome(scenario="default", result_code=0)

_BY_SUFFIX: dict[str, Outcome] = {
    "001": Outcome(scenario="001", result_code=1),
    "002": Outcome(scenario="002", result_code=1032),
    "003": Outcome(scenario="003", result_code=1037),
    "004": Outcome(scenario="004", result_code=0, callbacks=0),
    "005": Outcome(scenario="005", result_code=0, callbacks=3),
    "006": Outcome(scenario="006", result_code=0, callbacks=0, initiate_fails=True),
    "007": Outcome(scenario="007", result_code=0, initiate_hangs=True),
    "008": Outcome(scenario="008", result_code=0, callback_before_response=True),
    "009": Outcome(scenario="009", result_code=2001),
}


def outcome_for_phone(phone: str) -> Outcome:
    """The scenario for an MSISDN such as `254708374001`; any suffix not in the table succeeds."""
    return _BY_SUFFIX.get(str(phone)[-3:], _DEFAULT)


def outcome_for_push(phone: str, account_reference: str, transaction_desc: str) -> Outcome:
    """The phone's scenario, except that an over-long prompt text fails the push with 1025.

    The scenario's delivery behaviour (how many callbacks, hang, early callback) is kept, so a long
    reference on a 005 number still sends three callbacks, each saying 1025.
    """
    outcome = outcome_for_phone(phone)
    too_long = (len(account_reference) > ACCOUNT_REFERENCE_MAX_CHARS
                or len(transaction_desc) > TRANSACTION_DESC_MAX_CHARS)
    if too_long and not outcome.initiate_fails:
        return replace(outcome, result_code=1025)
    return outcome
