"""Which outcome a simulated checkout or disbursement gets, chosen by the payer's account number.

Everything here is pure: no settings, no clock, no I/O, so the table can be tested on its own and read as the
specification of the scenarios listed in the package docstring.

Precedence: the last three digits first (DESIGN.md §6, primary), then PROVIDERS.md 4.10's four-digit
suffixes, which only refine the "any other → success" row: `…0000`, `…1111` and `…2222` end in 000, 111 and
222, none of which is a §6 code, so the two tables never disagree about a number §6 names.
"""

from __future__ import annotations

from dataclasses import dataclass

SUCCESS = "success"
FAILURE = "failure"
PENDING = "pending"

# Messages of the simulated MNOs (P): AzamPay's own texts are undocumented (4.8: "read message"), so these are
# ours, worded with the words an MNO uses, and the connector reads the reason from them.
SUCCESS_MESSAGE = "Transaction successful"
PENDING_MESSAGE = "Transaction is being processed"
INSUFFICIENT_MESSAGE = "Insufficient balance"
CANCELLED_MESSAGE = "Transaction cancelled by user"
TIMEOUT_MESSAGE = "Transaction timed out: no response from user"
WRONG_PIN_MESSAGE = "Invalid PIN entered"
WRONG_OTP_MESSAGE = "Invalid OTP entered"
DECLINED_MESSAGE = "Transaction declined"
# Name lookup (P): an account number ending in this finds nobody.
NAME_NOT_FOUND_SUFFIX = "404"
NAMES = ("Juma Hamisi", "Neema Mushi", "Baraka Mwita", "Rehema Said", "Amani Kweka", "Zawadi Mollel")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated gateway and customer do with one checkout or disbursement."""

    scenario: str
    status: str  # SUCCESS or FAILURE once final; PENDING means it never becomes final (…1111)
    message: str
    callbacks: int = 1
    initiate_fails: bool = False
    initiate_hangs: bool = False
    callback_before_response: bool = False


_DEFAULT = Outcome(scenario="default", status=SUCCESS, message=SUCCESS_MESSAGE)

_BY_LAST_THREE: dict[str, Outcome] = {
    "001": Outcome("001", FAILURE, INSUFFICIENT_MESSAGE),
    "002": Outcome("002", FAILURE, CANCELLED_MESSAGE),
    "003": Outcome("003", FAILURE, TIMEOUT_MESSAGE),
    "004": Outcome("004", SUCCESS, SUCCESS_MESSAGE, callbacks=0),
    "005": Outcome("005", SUCCESS, SUCCESS_MESSAGE, callbacks=3),
    "006": Outcome("006", SUCCESS, SUCCESS_MESSAGE, callbacks=0, initiate_fails=True),
    "007": Outcome("007", SUCCESS, SUCCESS_MESSAGE, initiate_hangs=True),
    "008": Outcome("008", SUCCESS, SUCCESS_MESSAGE, callback_before_response=True),
    "009": Outcome("009", FAILURE, WRONG_PIN_MESSAGE),
}

# PROVIDERS.md 4.10 (P): insufficient balance; no callback and never final (the expiry path); two callbacks.
_BY_LAST_FOUR: dict[str, Outcome] = {
    "0000": Outcome("0000", FAILURE, INSUFFICIENT_MESSAGE),
    "1111": Outcome("1111", PENDING, PENDING_MESSAGE, callbacks=0),
    "2222": Outcome("2222", SUCCESS, SUCCESS_MESSAGE, callbacks=2),
}


def outcome_for_account(account_number: str, kind: str = "mno") -> Outcome:
    """The scenario of a checkout: `accountNumber` (MNO) or `merchantAccountNumber` (bank).

    A bank's 009 says "Invalid OTP", since a bank checkout is authorised by OTP, not by PIN.
    """
    number = str(account_number)
    outcome = _BY_LAST_THREE.get(number[-3:]) or _BY_LAST_FOUR.get(number[-4:]) or _DEFAULT
    if kind == "bank" and outcome.scenario == "009":
        return Outcome("009", FAILURE, WRONG_OTP_MESSAGE)
    return outcome


# Disbursements have no customer prompt and no callback: only the failures a payout can meet are modelled.
_PAYOUTS: dict[str, Outcome] = {
    "001": Outcome("001", FAILURE, INSUFFICIENT_MESSAGE, callbacks=0),
    "006": Outcome("006", SUCCESS, SUCCESS_MESSAGE, callbacks=0, initiate_fails=True),
    "007": Outcome("007", SUCCESS, SUCCESS_MESSAGE, callbacks=0, initiate_hangs=True),
    "009": Outcome("009", FAILURE, DECLINED_MESSAGE, callbacks=0),
}


def outcome_for_payout(account_number: str) -> Outcome:
    return _PAYOUTS.get(str(account_number)[-3:], Outcome("default", SUCCESS, SUCCESS_MESSAGE, callbacks=0))


def name_for(account_number: str) -> str | None:
    """The registered name of an account, the same every time; None for `…404`."""
    number = str(account_number)
    if number.endswith(NAME_NOT_FOUND_SUFFIX):
        return None
    return NAMES[sum(int(digit) for digit in number if digit.isdigit()) % len(NAMES)]
