"""Which outcome a simulated collection or disbursement gets, chosen by the last three digits of the MSISDN.

Everything here is pure: no settings, no clock, no I/O, so the tables can be tested on their own and read as
the specification of the scenarios listed in the package docstring. DESIGN.md §6 is primary; PROVIDERS.md
§3.10's own (P) suffixes are honoured where they do not collide with it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Messages for each response code (A: Airtel's wording is not documented; these follow the §3.5 reasons).
MESSAGES: dict[str, str] = {
    "DP00800001001": "Transaction is successful",
    "DP00800001002": "Incorrect PIN entered",
    "DP00800001006": "Transaction in process",
    "DP00800001007": "Not enough balance",
    "DP00800001008": "The transaction was refused",
    "DP00800001024": "Transaction timed out",
    "DP00800001000": "Transaction is ambiguous, please check the status later",
    "DP00900001001": "Transaction is successful",
    "DP00900001000": "Transaction is ambiguous, please check the status later",
    "DP00900001006": "Transaction in progress",
    "DP00900001007": "Insufficient funds in the disbursement wallet",
    "DP00900001013": "Transaction refused",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated gateway and customer do with one collection (or disbursement)."""

    scenario: str
    status: str  # final transaction status: TS, TF or TE
    response_code: str
    callbacks: int = 1
    initiate_fails: bool = False
    initiate_hangs: bool = False
    callback_before_response: bool = False
    ambiguous_enquiries: int = 0  # enquiries after the outcome is final that still answer TA

    @property
    def message(self) -> str:
        return MESSAGES[self.response_code]

    @property
    def succeeded(self) -> bool:
        return self.status == "TS"

    @property
    def callback_status(self) -> str:
        # Airtel's callback says TS or TF only (§3.6); an expired prompt is a TF there.
        return "TS" if self.succeeded else "TF"


_OK = "DP00800001001"
_DEFAULT = Outcome(scenario="default", status="TS", response_code=_OK)

_COLLECTIONS: dict[str, Outcome] = {
    "001": Outcome(scenario="001", status="TF", response_code="DP00800001007"),  # insufficient funds
    # DESIGN.md §6 "customer cancelled" (PROVIDERS.md §3.10 has wrong PIN here; §6 wins): "Refused".
    "002": Outcome(scenario="002", status="TF", response_code="DP00800001008"),
    # The prompt is never answered: TIP until the delay has passed, then TE (§3.10), "timed out".
    "003": Outcome(scenario="003", status="TE", response_code="DP00800001024"),
    # Success without a callback (§6), and ambiguous (TA) at the first enquiry before TS (§3.10).
    "004": Outcome(scenario="004", status="TS", response_code=_OK, callbacks=0, ambiguous_enquiries=1),
    "005": Outcome(scenario="005", status="TS", response_code=_OK, callbacks=3),
    "006": Outcome(scenario="006", status="TS", response_code=_OK, callbacks=0, initiate_fails=True),
    "007": Outcome(scenario="007", status="TS", response_code=_OK, initiate_hangs=True),
    "008": Outcome(scenario="008", status="TS", response_code=_OK, callback_before_response=True),
    "009": Outcome(scenario="009", status="TF", response_code="DP00800001002"),  # wrong PIN
}

_DISBURSED = "DP00900001001"
_DISBURSEMENT_DEFAULT = Outcome(scenario="default", status="TS", response_code=_DISBURSED, callbacks=0)
_DISBURSEMENTS: dict[str, Outcome] = {
    "001": Outcome(scenario="001", status="TF", response_code="DP00900001007", callbacks=0),
    "004": Outcome(scenario="004", status="TS", response_code=_DISBURSED, callbacks=0, ambiguous_enquiries=1),
    "006": Outcome(scenario="006", status="TS", response_code=_DISBURSED, callbacks=0, initiate_fails=True),
    "007": Outcome(scenario="007", status="TS", response_code=_DISBURSED, callbacks=0, initiate_hangs=True),
    "009": Outcome(scenario="009", status="TF", response_code="DP00900001013", callbacks=0),
}

# The user enquiry (KYC): a number ending in 404 has no wallet.
USER_NOT_FOUND_SUFFIX = "404"


def collection_outcome(msisdn: str) -> Outcome:
    """The scenario for a national MSISDN such as `752123001`; any suffix not in the table succeeds."""
    return _COLLECTIONS.get(str(msisdn)[-3:], _DEFAULT)


def disbursement_outcome(msisdn: str) -> Outcome:
    return _DISBURSEMENTS.get(str(msisdn)[-3:], _DISBURSEMENT_DEFAULT)


def user_exists(msisdn: str) -> bool:
    return not str(msisdn).endswith(USER_NOT_FOUND_SUFFIX)
