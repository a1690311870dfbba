"""Which outcome a simulated Paystack charge gets: by the payer's phone (mobile money, DESIGN.md §6), by the
test card (hosted page, PROVIDERS.md 6.8) or by the amount (saved-card charges and refunds, P).

Everything here is pure: no settings, no clock, no I/O, so the tables can be tested on their own and read as
the specification of the scenarios listed in the package docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# gateway_response texts. "Successful", "Declined" and "Insufficient Funds" are PROVIDERS.md 6.3's examples;
# the others are assumptions (A), documented in the package docstring.
SUCCESSFUL = "Successful"
APPROVED = "Approved"
INSUFFICIENT_FUNDS = "Insufficient Funds"
DECLINED = "Declined"
CANCELLED = "Transaction cancelled by customer"
TIMED_OUT = "Transaction timed out"
INCORRECT_PIN = "Incorrect PIN"
INCORRECT_OTP = "Incorrect OTP"

PAY_OFFLINE_TEXT = "Please complete authorization process on your mobile phone"  # PROVIDERS.md 6.4
VOUCHER_TEXT = "Dial *110# to generate a voucher code, then enter the voucher here"  # (A) Telecel's flow
CARD_OTP = "123456"  # PROVIDERS.md 6.8
# A Telecel voucher is random in real life; the simulator takes any six digits except this one, which it
# treats as wrong so that a failed voucher can be tested (P).
WRONG_VOUCHER = "000000"


@dataclass(frozen=True, slots=True)
class MobileMoneyOutcome:
    """What the simulated network and customer do with one Charge API request."""

    scenario: str
    status: str  # the final transaction status: "success" or "failed"
    gateway_response: str
    webhooks: int = 1
    initiate_fails: bool = False
    initiate_hangs: bool = False
    webhook_before_response: bool = False
    immediate: bool = False  # final in the /charge answer itself (§6.8 test numbers)
    needs_voucher: bool = False  # Telecel: `send_otp` first (6.4)

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


_SUCCESS = MobileMoneyOutcome("default", "success", APPROVED)
_BY_SUFFIX: dict[str, MobileMoneyOutcome] = {
    "001": MobileMoneyOutcome("001", "failed", INSUFFICIENT_FUNDS, webhooks=0),
    "002": MobileMoneyOutcome("002", "failed", CANCELLED, webhooks=0),
    "003": MobileMoneyOutcome("003", "failed", TIMED_OUT, webhooks=0),
    "004": MobileMoneyOutcome("004", "success", APPROVED, webhooks=0),
    "005": MobileMoneyOutcome("005", "success", APPROVED, webhooks=3),
    "006": MobileMoneyOutcome("006", "success", APPROVED, webhooks=0, initiate_fails=True),
    "007": MobileMoneyOutcome("007", "success", APPROVED, initiate_hangs=True),
    "008": MobileMoneyOutcome("008", "success", APPROVED, webhook_before_response=True),
    "009": MobileMoneyOutcome("009", "failed", INCORRECT_PIN, webhooks=0),
}
# PROVIDERS.md 6.8: Paystack's Ghanaian test numbers that succeed at once, without a prompt.
_IMMEDIATE_NUMBERS = {("mtn", "0551234987"), ("atl", "0271234987")}


def mobile_money_outcome(provider: str, phone: str) -> MobileMoneyOutcome:
    """The scenario for a payer (phone as the simulator normalised it); Telecel always asks for a voucher."""
    outcome = _BY_SUFFIX.get(phone[-3:], _SUCCESS)
    if (provider, phone) in _IMMEDIATE_NUMBERS:
        outcome = MobileMoneyOutcome("test-number", "success", SUCCESSFUL, immediate=True)
    if provider == "vod" and not outcome.initiate_fails:
        return MobileMoneyOutcome(outcome.scenario, outcome.status, outcome.gateway_response, outcome.webhooks,
                                  initiate_hangs=outcome.initiate_hangs,
                                  webhook_before_response=outcome.webhook_before_response, needs_voucher=True)
    return outcome


# -- test cards (hosted page) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimCard:
    number: str
    cvv: str
    brand: str
    card_type: str
    status: str  # "success" or "failed"
    gateway_response: str
    pin: str = ""  # a Verve card asks for its PIN, then an OTP (6.8)
    otp: str = ""


TEST_CARDS: dict[str, SimCard] = {card.number: card for card in (
    SimCard("4084084084084081", "408", "visa", "visa DEBIT", "success", SUCCESSFUL),  # 6.8, no 3DS
    SimCard("5060666666666666666", "123", "verve", "verve DEBIT", "success", SUCCESSFUL, pin="1234",
             otp=CARD_OTP),  # 6.8, PIN + OTP
    SimCard("4084080000005408", "001", "visa", "visa DEBIT", "failed", DECLINED),  # 6.8
    # Not in PROVIDERS.md 6.8 (P): Stripe's well-known "insufficient funds" number, so it is easy to recall.
    SimCard("4000000000009995", "123", "visa", "visa DEBIT", "failed", INSUFFICIENT_FUNDS),
)}


@dataclass(frozen=True, slots=True)
class CardDecision:
    """What the hosted page does with a submitted card: re-ask (`form_error`), ask an OTP, or finish."""

    form_error: str = ""
    needs_otp: bool = False
    status: str = ""
    gateway_response: str = ""
    card: SimCard | None = None


def card_decision(number: str, expiry: str, cvv: str, pin: str, today: date) -> CardDecision:
    """The hosted page's answer to a card form. Typing mistakes are re-asked; a wrong PIN ends the charge."""
    digits = re.sub(r"[\s-]", "", number)
    card = TEST_CARDS.get(digits)
    if card is None:
        return CardDecision(form_error="This card is not one of the test cards listed below.")
    if not _expiry_valid(expiry, today):
        return CardDecision(form_error="Enter a future expiry date as MM/YY.")
    if cvv.strip() != card.cvv:
        return CardDecision(form_error="The CVV does not match this test card.")
    if card.pin and pin.strip() != card.pin:
        return CardDecision(status="failed", gateway_response=INCORRECT_PIN, card=card)
    if card.otp:
        return CardDecision(needs_otp=True, card=card)
    return CardDecision(status=card.status, gateway_response=card.gateway_response, card=card)


def _expiry_valid(expiry: str, today: date) -> bool:
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry)
    if not match:
        return False
    month, year = int(match.group(1)), int(match.group(2))
    year = year + 2000 if year < 100 else year
    return 1 <= month <= 12 and (year, month) >= (today.year, today.month)


def otp_decision(card: SimCard, otp: str) -> tuple[str, str]:
    """(status, gateway_response) after the OTP page."""
    if otp.strip() == card.otp:
        return card.status, card.gateway_response
    return "failed", INCORRECT_OTP


# -- saved-card charges and refunds, by the last three digits of the amount in subunits (P) ---------------


def authorization_charge_outcome(amount: int) -> tuple[str, str] | None:
    """(status, gateway_response) of a charge_authorization; None for 006, which answers 503 and stores nothing."""
    suffix = f"{amount:03d}"[-3:]
    if suffix == "006":
        return None
    if suffix == "001":
        return "failed", INSUFFICIENT_FUNDS
    if suffix == "009":
        return "failed", DECLINED
    return "success", APPROVED


def refund_outcome(amount: int) -> str | None:
    """The final refund status; None for 006 (503, nothing stored)."""
    suffix = f"{amount:03d}"[-3:]
    if suffix == "006":
        return None
    return "failed" if suffix == "009" else "processed"
