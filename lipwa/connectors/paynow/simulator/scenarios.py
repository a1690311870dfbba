"""Which outcome a simulated express checkout gets: Paynow's test-mode numbers first, then the last three
digits of the phone (DESIGN.md §6).

Everything here is pure: no settings, no clock, no I/O, so the table can be tested on its own and read as the
specification of the scenarios listed in the package docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAID, CANCELLED, FAILED = "Paid", "Cancelled", "Failed"
# The test number 0774444444 fails "immediately … during initiation" (PROVIDERS.md 7.8); the wording of
# Paynow's message is not documented (A).
INSUFFICIENT_BALANCE = "Insufficient balance"

_LOCAL = re.compile(r"0(7\d{8})")
_INTERNATIONAL = re.compile(r"\+?263(7\d{8})")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated Paynow and customer do with one express checkout."""

    scenario: str
    final_status: str = PAID
    # Seconds until final; None means the configured LIPWA_SIMULATOR_DELAY_SECONDS.
    delay_seconds: float | None = None
    callbacks: int = 1
    initiate_error: str = ""  # refused at initiation with this message; nothing is created
    initiate_fails: bool = False  # HTTP 503, nothing created (006)
    initiate_hangs: bool = False  # created, then the answer is late (007)
    callback_before_response: bool = False  # 008


_DEFAULT = Outcome(scenario="default")

# PROVIDERS.md 7.8, by the whole local number.
TEST_NUMBERS: dict[str, Outcome] = {
    "0771111111": Outcome(scenario="test-success", delay_seconds=5.0),
    "0772222222": Outcome(scenario="test-delayed-success", delay_seconds=30.0),
    # Paynow reports a cancelled prompt on this number as Failed, not Cancelled (7.8).
    "0773333333": Outcome(scenario="test-user-cancelled", final_status=FAILED, delay_seconds=30.0),
    "0774444444": Outcome(scenario="test-insufficient-balance", initiate_error=INSUFFICIENT_BALANCE, callbacks=0),
}

# DESIGN.md §6, by the last three digits.
_BY_SUFFIX: dict[str, Outcome] = {
    # Insufficient funds behaves as Paynow's own insufficient-balance number does (7.8): refused at initiation.
    "001": Outcome(scenario="001", initiate_error=INSUFFICIENT_BALANCE, callbacks=0),
    "002": Outcome(scenario="002", final_status=CANCELLED),
    # Paynow reports a prompt the customer never answered as Cancelled ("cancelled … or expired", 7.7).
    "003": Outcome(scenario="003", final_status=CANCELLED),
    "004": Outcome(scenario="004", callbacks=0),
    "005": Outcome(scenario="005", callbacks=3),
    "006": Outcome(scenario="006", callbacks=0, initiate_fails=True),
    "007": Outcome(scenario="007", initiate_hangs=True),
    "008": Outcome(scenario="008", callback_before_response=True),
    # A wrong PIN or any other decline: Paynow's status says only Failed (7.7).
    "009": Outcome(scenario="009", final_status=FAILED),
}


def local_number(phone: str) -> str | None:
    """`0771234567` for `0771234567`, `263771234567` or `+263771234567`; None for anything else."""
    text = phone.strip().replace(" ", "")
    match = _LOCAL.fullmatch(text) or _INTERNATIONAL.fullmatch(text)
    return f"0{match.group(1)}" if match else None


def outcome_for_phone(phone: str) -> Outcome:
    """The scenario for a Zimbabwean mobile number (already in local form)."""
    return TEST_NUMBERS.get(phone) or _BY_SUFFIX.get(phone[-3:], _DEFAULT)
