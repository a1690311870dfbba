"""Which statement line is which payment: pure functions over plain dataclasses (no ORM, no clock).

Rules, tried in order, each one over what the earlier rules left unmatched:
1. `reference`: the line's gateway/bank reference equals the payment's receipt number or gateway reference;
2. `amount_phone_time`: a credit of the same amount and currency from the payer's phone (masked digits
   count as wildcards), booked within ±window of the payment; the nearest in time wins;
3. `bank_transfer_reference`: the `LPW-XXXXXXXX` reference lipwa gave for a bank transfer appears in what
   the payer typed, the line's reference or its description.
A line never matches two payments and a payment never two lines.

The bank-transfer reference normalisation is reimplemented here rather than imported from the connector:
reconciliation may not import a gateway package, and the rule (Crockford's confusables O→0, I/L→1, no
separators) is four lines. A test pins it against the connector's own function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

RULE_REFERENCE = "reference"
RULE_AMOUNT_PHONE_TIME = "amount_phone_time"
RULE_BANK_TRANSFER_REFERENCE = "bank_transfer_reference"
WINDOW_MINUTES_DEFAULT = 30
PHONE_DIGITS_COMPARED = 9  # the subscriber number without the country code or a leading 0
MASKED_SUFFIX_DIGITS_MIN = 3  # fewer visible digits say too little about whose number it is

_LPW = re.compile(r"LPW[\s\-_./]*((?:[0-9A-Z][\s\-]?){7}[0-9A-Z])", re.IGNORECASE)
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class LineView:
    id: int
    reference: str
    amount_minor: int
    currency: str
    direction: str
    booked_at: datetime
    counterparty: str = ""
    payer_reference: str = ""
    description: str = ""
    date_only: bool = False


@dataclass(frozen=True)
class PaymentView:
    id: str
    amount_minor: int
    currency: str
    created_at: datetime
    phone: str = ""
    gateway_reference: str = ""
    receipt_number: str = ""


@dataclass(frozen=True)
class MatchResult:
    line_id: int
    payment_id: str
    rule: str
    confidence_percent: int  # how sure the rule is; 100 only for an exact reference and exact amount
    amount_matches: bool


def bank_reference_normalize(text: str) -> str:
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    return "LPW-" + compact.removeprefix("LPW").translate(_CONFUSABLE)


def bank_references_in(text: str) -> list[str]:
    return [bank_reference_normalize(found) for found in _LPW.findall(text or "")]


def match_lines(lines: list[LineView], payments: list[PaymentView], *,
                window_minutes: int = WINDOW_MINUTES_DEFAULT) -> list[MatchResult]:
    results: list[MatchResult] = []
    free_lines = {line.id: line for line in lines}
    free_payments = {payment.id: payment for payment in payments}
    for rule in (_by_reference, lambda ls, ps: _by_amount_phone_time(ls, ps, window_minutes), _by_bank_reference):
        for result in rule(list(free_lines.values()), list(free_payments.values())):
            results.append(result)
            del free_lines[result.line_id], free_payments[result.payment_id]
    return results


def _by_reference(lines: list[LineView], payments: list[PaymentView]) -> list[MatchResult]:
    index: dict[tuple[str, str], PaymentView] = {}
    for payment in payments:
        for reference in (payment.receipt_number, payment.gateway_reference):
            if reference.strip():
                index.setdefault((payment.currency, reference.strip().upper()), payment)
    results, taken = [], set()
    for line in lines:
        if line.direction != "credit":
            continue  # money out is a payout, refund or charge, never a payment's arrival
        payment = index.get((line.currency, line.reference.strip().upper())) if line.reference.strip() else None
        if payment is None or payment.id in taken:
            continue
        taken.add(payment.id)
        same = payment.amount_minor == line.amount_minor
        results.append(MatchResult(line.id, payment.id, RULE_REFERENCE, 100 if same else 80, same))
    return results


def _phone_matches(counterparty: str, phone: str) -> bool | None:
    """True for the same number, None when a masked number ("2547****678") agrees on the digits it shows,
    False otherwise. Masks differ in length between exports, so only the visible ends are compared."""
    theirs = "".join(ch for ch in counterparty if ch.isdigit() or ch == "*")
    ours = "".join(ch for ch in phone if ch.isdigit())
    if len(ours) < PHONE_DIGITS_COMPARED:
        return False
    if "*" not in theirs:
        return len(theirs) >= PHONE_DIGITS_COMPARED and theirs[-PHONE_DIGITS_COMPARED:] == ours[-PHONE_DIGITS_COMPARED:]
    prefix, suffix = theirs.split("*", 1)[0], theirs.rsplit("*", 1)[-1]
    if len(suffix) < MASKED_SUFFIX_DIGITS_MIN or len(prefix) + len(suffix) > len(ours):
        return False
    return None if ours.startswith(prefix) and ours.endswith(suffix) else False


def _by_amount_phone_time(lines: list[LineView], payments: list[PaymentView], window_minutes: int
                          ) -> list[MatchResult]:
    candidates = []
    for line in lines:
        if line.direction != "credit" or not line.counterparty:
            continue
        # A date-only line (bank CSV) can be anywhere in its day.
        window = timedelta(minutes=window_minutes) + (timedelta(days=1) if line.date_only else timedelta())
        for payment in payments:
            if (payment.currency, payment.amount_minor) != (line.currency, line.amount_minor) or not payment.phone:
                continue
            phone = _phone_matches(line.counterparty, payment.phone)
            distance = abs(line.booked_at - payment.created_at)
            if phone is not False and distance <= window:
                candidates.append((distance, phone is None, line.id, payment.id))
    results, used_lines, used_payments = [], set(), set()
    for _distance, masked, line_id, payment_id in sorted(candidates):
        if line_id in used_lines or payment_id in used_payments:
            continue
        used_lines.add(line_id)
        used_payments.add(payment_id)
        results.append(MatchResult(line_id, payment_id, RULE_AMOUNT_PHONE_TIME, 70 if masked else 90, True))
    return results


def _by_bank_reference(lines: list[LineView], payments: list[PaymentView]) -> list[MatchResult]:
    index = {(p.currency, bank_reference_normalize(p.gateway_reference)): p for p in payments
             if p.gateway_reference.upper().startswith("LPW")}
    results, taken = [], set()
    for line in (line for line in lines if line.direction == "credit"):
        for text in (line.payer_reference, line.reference, line.description):
            found = [index.get((line.currency, reference)) for reference in bank_references_in(text)]
            payment = next((p for p in found if p is not None and p.id not in taken), None)
            if payment is not None:
                taken.add(payment.id)
                same = payment.amount_minor == line.amount_minor
                results.append(MatchResult(line.id, payment.id, RULE_BANK_TRANSFER_REFERENCE,
                                           95 if same else 60, same))
                break
    return results
