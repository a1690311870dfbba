"""Which outcome a simulated request to pay or card payment gets: pure, no settings, no clock, no I/O.

Mobile money is chosen by the last three digits of `phoneNumber` (DESIGN.md §6, the primary table), plus four
suffixes that carry PROVIDERS.md 5.8's own behaviours (see the package docstring for why they moved). Cards are
chosen by the test card number, in the same spirit.
"""

from __future__ import annotations

from dataclasses import dataclass

from lipwa.connectors.feexpay import catalogue

SUCCESSFUL = "SUCCESSFUL"
FAILED = "FAILED"
PENDING = "PENDING"
# Observed in integrations (PROVIDERS.md 5.3); the other reasons are the catalogue's assumptions.
LOW_BALANCE = "LOW_BALANCE"
PAYER_NOT_FOUND = "PAYER_NOT_FOUND"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the simulated gateway and customer do with one request."""

    scenario: str
    status: str  # the final status: SUCCESSFUL or FAILED; PENDING for a request that never ends
    reason: str = ""
    callbacks: int = 1
    initiate_fails: bool = False  # 006: HTTP 503, nothing stored
    initiate_hangs: bool = False  # 007: stored, then the answer waits past the client's timeout
    callback_before_response: bool = False  # 008
    final_in_response: bool = False  # 5.2: Moov answers FAILED (or SUCCESSFUL) in the request's own response

    @property
    def message(self) -> str:
        return MESSAGES.get(self.reason or self.status, "")


MESSAGES = {
    SUCCESSFUL: "Paiement effectué avec succès",
    LOW_BALANCE: "Solde insuffisant",
    PAYER_NOT_FOUND: "Payeur introuvable",
    catalogue.REASON_CANCELLED: "Paiement annulé par le client",
    catalogue.REASON_TIMEOUT: "Le client n'a pas confirmé à temps",
    catalogue.REASON_WRONG_PIN: "Code PIN incorrect",
    catalogue.REASON_CARD_DECLINED: "Carte refusée",
}

_DEFAULT = Outcome(scenario="default", status=SUCCESSFUL)

_BY_SUFFIX: dict[str, Outcome] = {
    "001": Outcome("001", FAILED, LOW_BALANCE),
    "002": Outcome("002", FAILED, catalogue.REASON_CANCELLED),
    "003": Outcome("003", FAILED, catalogue.REASON_TIMEOUT),
    "004": Outcome("004", SUCCESSFUL, callbacks=0),
    "005": Outcome("005", SUCCESSFUL, callbacks=3),
    "006": Outcome("006", SUCCESSFUL, callbacks=0, initiate_fails=True),
    "007": Outcome("007", SUCCESSFUL, initiate_hangs=True),
    "008": Outcome("008", SUCCESSFUL, callback_before_response=True),
    "009": Outcome("009", FAILED, catalogue.REASON_WRONG_PIN),
    # PROVIDERS.md 5.8's behaviours (last digit 0/1/2/3 there), on suffixes DESIGN.md §6 leaves free.
    "010": Outcome("010", FAILED, LOW_BALANCE, final_in_response=True),
    "011": Outcome("011", FAILED, PAYER_NOT_FOUND),
    "012": Outcome("012", PENDING, callbacks=0),
    "013": Outcome("013", SUCCESSFUL, callbacks=2),
}


def outcome_for_phone(phone_number: str) -> Outcome:
    """The scenario for `phoneNumber` such as `2290197100001`; any suffix not in the table succeeds."""
    return _BY_SUFFIX.get(str(phone_number)[-3:], _DEFAULT)


# Test cards (the usual acquirer test numbers); any other number that passes the Luhn check succeeds.
CARD_OUTCOMES: dict[str, Outcome] = {
    "4242424242424242": Outcome("card", SUCCESSFUL),
    "4111111111111111": Outcome("card", SUCCESSFUL),
    "5555555555554444": Outcome("card", SUCCESSFUL),
    "4000000000000002": Outcome("card_declined", FAILED, catalogue.REASON_CARD_DECLINED),
    "4000000000009995": Outcome("card_insufficient_funds", FAILED, LOW_BALANCE),
}
CARD_CANCELLED = Outcome("card_cancelled", FAILED, catalogue.REASON_CANCELLED)


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def outcome_for_card(number: str) -> Outcome | None:
    """The outcome for a card number (spaces allowed); None when it is not a card number at all."""
    digits = "".join(number.split())
    if not luhn_valid(digits):
        return None
    return CARD_OUTCOMES.get(digits, Outcome("card", SUCCESSFUL))
