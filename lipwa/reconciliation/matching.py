"""Which statement line is which payment: pure functions over plain dataclasses (no ORM, no clock).

Rules, tried in order, each one over what the earlier rules left unmatched:
1. `reference`: the line's gateway/bank reference equals the payment's receipt number or gateway reference;
2. `amount_phone_time`: a credit of the same amount and currency from the payer's phone (masked digits
   count as wildcards), booked within ±window of the payment; the nearest in time wins;
3. `bank_transfer_reference`: the `LPW-XXXXXXXX` reference lipwa gave for a bank transfer appears in what
   the payer typed, the line's reference or its description.
A line never matches two payments and a payment never two lines.

Settlements are many to one (`match_settlement`). A bank credit that is a gateway's payout is recognised by
`settlement_provider` (the gateway's name, and for mobile money a payout word, per SETTLEMENT_PAYERS) and
paired with the gateway's own settlement line of the same payout by `match_bank_settlements`.

The bank-transfer reference normalisation is reimplemented here rather than imported from the connector:
reconciliation may not import a gateway package, and the rule (Crockford's confusables O→0, I/L→1, no
separators) is four lines. A test pins it against the connector's own function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

RULE_REFERENCE = "reference"
RULE_AMOUNT_PHONE_TIME = "amount_phone_time"
RULE_BANK_TRANSFER_REFERENCE = "bank_transfer_reference"
RULE_SETTLEMENT_RUN = "settlement_consecutive"
RULE_SETTLEMENT_SUBSET = "settlement_subset"
SETTLEMENT_SUBSET_CANDIDATES_MAX = 24  # 2 × 2^12 partial sums: exact and still instant
WINDOW_MINUTES_DEFAULT = 30
PHONE_DIGITS_COMPARED = 9  # the subscriber number without the country code or a leading 0
MASKED_SUFFIX_DIGITS_MIN = 3  # fewer visible digits say too little about whose number it is

_LPW = re.compile(r"LPW[\s\-_./]*((?:[0-9A-Z][\s\-]?){7}[0-9A-Z])", re.IGNORECASE)
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True, slots=True)  # a million of them per large statement: no __dict__
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
    external_reference: str = ""  # the id lipwa gave the gateway, where the statement shows it
    fee_minor: int | None = None
    kind: str = "entry"  # "settlement": many payments' net amounts in one line (see match_settlement)


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: str
    amount_minor: int
    currency: str
    created_at: datetime
    phone: str = ""
    gateway_reference: str = ""
    receipt_number: str = ""
    fee_minor: int = 0
    succeeded_at: datetime | None = None


@dataclass(frozen=True)
class SettlementResult:
    line_id: int
    payment_ids: tuple[str, ...]  # in the order they were paid
    rule: str
    confidence_percent: int


@dataclass(frozen=True, slots=True)
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


def match_lines(lines: Iterable[LineView], payments: list[PaymentView], *,
                window_minutes: int = WINDOW_MINUTES_DEFAULT) -> list[MatchResult]:
    """`lines` may be a generator (a statement streamed from its file): the reference rule looks at one line
    at a time and only the lines it leaves unmatched are kept for the other rules, so a million-line
    statement is never held whole."""
    free_payments = {payment.id: payment for payment in payments}
    unmatched: list[LineView] = []
    results = _by_reference((line for line in lines if line.kind != "settlement"), list(free_payments.values()),
                            unmatched=unmatched)
    for result in results:
        del free_payments[result.payment_id]
    return results + match_unreferenced(unmatched, list(free_payments.values()), window_minutes=window_minutes)


def match_unreferenced(lines: list[LineView], payments: list[PaymentView], *,
                       window_minutes: int = WINDOW_MINUTES_DEFAULT) -> list[MatchResult]:
    """Rules 2 and 3 over what the reference rule left, in their order (the bulk path computes rule 1 in
    its engine and calls this for the rest)."""
    results: list[MatchResult] = []
    free_lines = {line.id: line for line in lines}
    free_payments = {payment.id: payment for payment in payments}
    for rule in (lambda ls, ps: _by_amount_phone_time(ls, ps, window_minutes), _by_bank_reference):
        for result in rule(list(free_lines.values()), list(free_payments.values())):
            results.append(result)
            del free_lines[result.line_id], free_payments[result.payment_id]
    return results


def _by_reference(lines: Iterable[LineView], payments: list[PaymentView], *,
                  unmatched: list[LineView] | None = None) -> list[MatchResult]:
    """Matches by reference; lines left unmatched are appended to `unmatched` when given."""
    # One dict per currency keyed by the normalised reference: no (currency, reference) tuple and no copy of a
    # reference that is already normalised, which for a million payments is hundreds of megabytes.
    index: dict[str, dict[str, PaymentView]] = {}
    for payment in payments:
        by_reference = index.setdefault(payment.currency, {})
        for reference in (payment.receipt_number, payment.gateway_reference):
            key = _reference_key(reference)
            if key:
                by_reference.setdefault(key, payment)
    results, taken = [], set()
    keep = unmatched.append if unmatched is not None else lambda line: None
    for line in lines:
        if line.direction != "credit":
            keep(line)
            continue  # money out is a payout, refund or charge, never a payment's arrival
        by_reference = index.get(line.currency, {})
        found = [by_reference.get(_reference_key(text))
                 for text in (line.reference, line.external_reference) if text.strip()]
        payment = next((p for p in found if p is not None), None)
        if payment is None or payment.id in taken:
            keep(line)
            continue
        taken.add(payment.id)
        same = payment.amount_minor == line.amount_minor
        results.append(MatchResult(line.id, payment.id, RULE_REFERENCE, 100 if same else 80, same))
    return results


def _reference_key(reference: str) -> str:
    """The reference stripped and upper-cased; the same object when it already is (no per-payment copy)."""
    key = reference.strip().upper()
    return reference if key == reference else key


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
    # Only a payment of exactly the line's currency and amount can match, so look those up instead of scanning
    # every payment for every line (quadratic: hours for a million-line statement).
    by_amount: dict[tuple[str, int], list[PaymentView]] = {}
    for payment in payments:
        if payment.phone:
            by_amount.setdefault((payment.currency, payment.amount_minor), []).append(payment)
    candidates = []
    for line in lines:
        if line.direction != "credit" or not line.counterparty:
            continue
        # A date-only line (bank CSV) can be anywhere in its day.
        window = timedelta(minutes=window_minutes) + (timedelta(days=1) if line.date_only else timedelta())
        for payment in by_amount.get((line.currency, line.amount_minor), ()):
            phone = _phone_matches(line.counterparty, payment.phone)
            distance = abs(line.booked_at - payment.created_at)
            if phone is not False and distance <= window:
                candidates.append((distance, phone is None, line.id, payment.id))
    return [MatchResult(line_id, payment_id, RULE_AMOUNT_PHONE_TIME, 70 if masked else 90, True)
            for _distance, masked, line_id, payment_id in _one_to_one(candidates)]


def _one_to_one(candidates: list[tuple]) -> list[tuple]:
    """The best candidates first (tuples sort by their leading fields), each of the two ids they end with used
    at most once: `(…, left_id, right_id)` in, the chosen ones out, best first."""
    chosen, used_left, used_right = [], set(), set()
    for candidate in sorted(candidates):
        left, right = candidate[-2], candidate[-1]
        if left in used_left or right in used_right:
            continue
        used_left.add(left)
        used_right.add(right)
        chosen.append(candidate)
    return chosen


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


def payment_net_minor(payment: PaymentView) -> int:
    return payment.amount_minor - payment.fee_minor


def match_settlement(line: LineView, payments: list[PaymentView]) -> SettlementResult | None:
    """The payments one settlement line paid out: a set whose net amounts (amount − fee) add up exactly to
    the line, among payments of its currency paid before it.

    A gateway settles in batches of consecutive payments (a day's, a period's), so a consecutive run in
    order of payment is tried first (two pointers, linear); failing that, any subset of the latest
    SETTLEMENT_SUBSET_CANDIDATES_MAX candidates by meeting in the middle. None when no set adds up: a
    person decides (an unknown fee, a payment lipwa never saw).
    """
    if line.direction != "credit" or line.amount_minor <= 0:
        return None
    cutoff = line.booked_at + (timedelta(days=1) if line.date_only else timedelta())
    candidates = sorted((p for p in payments if p.currency == line.currency and payment_net_minor(p) > 0
                         and (p.succeeded_at or p.created_at) <= cutoff),
                        key=lambda p: (p.succeeded_at or p.created_at, p.id))
    run = _consecutive_run(candidates, line.amount_minor)
    if run is not None:
        return SettlementResult(line.id, tuple(p.id for p in run), RULE_SETTLEMENT_RUN, 90)
    subset = _subset_with_sum(candidates[-SETTLEMENT_SUBSET_CANDIDATES_MAX:], line.amount_minor)
    if subset is not None:
        return SettlementResult(line.id, tuple(p.id for p in subset), RULE_SETTLEMENT_SUBSET, 60)
    return None


def _consecutive_run(payments: list[PaymentView], target: int) -> list[PaymentView] | None:
    """The latest run of consecutive payments whose nets sum to target (nets are positive: two pointers)."""
    best, total, end = None, 0, len(payments)
    for start in range(len(payments) - 1, -1, -1):
        total += payment_net_minor(payments[start])
        while total > target and end > start:
            end -= 1
            total -= payment_net_minor(payments[end])
        if total == target and end > start:
            best = payments[start:end]
            break
    return best


def _subset_with_sum(payments: list[PaymentView], target: int) -> list[PaymentView] | None:
    half = len(payments) // 2
    left, right = payments[:half], payments[half:]

    def sums(group: list[PaymentView]) -> dict[int, int]:
        found = {0: 0}  # partial sum -> bit mask of the payments in it (the first mask found wins)
        for index, payment in enumerate(group):
            for subtotal, mask in list(found.items()):
                found.setdefault(subtotal + payment_net_minor(payment), mask | (1 << index))
        return found

    right_sums = sums(right)
    for subtotal, mask in sums(left).items():
        other = right_sums.get(target - subtotal)
        if other is not None and (mask or other):
            return ([p for i, p in enumerate(left) if mask >> i & 1]
                    + [p for i, p in enumerate(right) if other >> i & 1])
    return None


# -- a gateway's settlement seen on a bank statement ----------------------------------------------------------

RULE_SETTLEMENT_REFERENCE = "settlement_reference"
RULE_SETTLEMENT_AMOUNT_DATE = "settlement_amount_date"
# A gateway's payout reaches the bank on its settlement date or a few working days later (a weekend and a
# public holiday in between); a bank that books in another time zone can show it the day before.
SETTLEMENT_BANK_DAYS_AFTER = 5
SETTLEMENT_BANK_DAYS_BEFORE = 1
SETTLEMENT_REFERENCE_CHARS_MIN = 4  # a shorter id could be any number in a narrative

# Words banks print for a payout from a gateway's wallet or collection account to the merchant's bank.
_PAYOUT_WORDS = re.compile(r"\b(?:SETTLEMENTS?|SETTLE|SETTLED|STLMT|STLM|STL|PAYOUTS?|SWEEP|WITHDRAWAL|WITHDRAW)\b")


@dataclass(frozen=True)
class SettlementPayer:
    """How a gateway's settlement shows on the merchant's bank statement.

    `names` is what banks print for the gateway (as the counterparty or in the narrative). Card and online
    gateways pay a merchant's bank nothing but settlements, so their name suffices. Mobile-money operators
    also carry customers' own transfers into banks (an M-Pesa paybill deposit, MoMo to bank), so for them a
    payout word (settlement, sweep, withdrawal…) must appear as well.
    """

    provider: str
    names: re.Pattern
    payout_word_required: bool


SETTLEMENT_PAYERS = (
    SettlementPayer("paystack", re.compile(r"\bPAYSTACK\b"), False),
    SettlementPayer("paynow", re.compile(r"\bPAYNOW\b|\bWEBDEV\b"), False),  # Paynow is run by Webdev (Pvt) Ltd
    SettlementPayer("azampay", re.compile(r"\bAZAM\s?PAY\b"), False),
    SettlementPayer("feexpay", re.compile(r"\bFEEXPAY\b"), False),
    SettlementPayer("mpesa", re.compile(r"\bSAFARICOM\b|\bM[\s\-]?PESA\b"), True),
    SettlementPayer("mtn_momo", re.compile(r"\bMTN\b|\bMOMO\b"), True),
    SettlementPayer("airtel", re.compile(r"\bAIRTEL\b"), True),
)


@dataclass(frozen=True)
class SettlementLinkResult:
    bank_line_id: int
    gateway_line_id: int
    rule: str
    confidence_percent: int


def settlement_provider(line: LineView, providers: Iterable[str]) -> str | None:
    """The gateway whose settlement this bank line is, among `providers` (the gateways the merchant has
    connector accounts for), or None: a debit, a line quoting lipwa's bank-transfer reference (a customer
    paying), no gateway named, or two gateways named (a person decides)."""
    if line.direction != "credit" or line.kind != "entry":
        return None
    texts = (line.counterparty, line.description, line.payer_reference)
    if any(bank_references_in(text) for text in texts + (line.reference,)):
        return None
    text = " ".join(texts).upper()
    allowed = set(providers)
    found = [payer.provider for payer in SETTLEMENT_PAYERS if payer.provider in allowed and payer.names.search(text)
             and (not payer.payout_word_required or _PAYOUT_WORDS.search(text))]
    return found[0] if len(found) == 1 else None


def match_bank_settlements(bank_lines: list[tuple[LineView, str]], gateway_lines: list[tuple[LineView, str]]
                           ) -> list[SettlementLinkResult]:
    """Pairs of (bank credit, gateway settlement line) that are one payout: the same gateway, currency and
    amount, the bank's date within SETTLEMENT_BANK_DAYS_BEFORE/AFTER of the gateway's. A pair whose bank line
    quotes the settlement's reference goes first (100), then the nearest in date (80). Each line pairs once."""
    by_key: dict[tuple[str, str, int], list[LineView]] = {}
    for line, provider in gateway_lines:
        if line.direction == "credit":
            by_key.setdefault((provider, line.currency, line.amount_minor), []).append(line)
    candidates = []
    for bank, provider in bank_lines:
        texts = " ".join((bank.reference, bank.payer_reference, bank.description, bank.counterparty)).upper()
        for gateway in by_key.get((provider, bank.currency, bank.amount_minor), ()):
            slack = timedelta(days=1) if bank.date_only or gateway.date_only else timedelta()
            delta = bank.booked_at - gateway.booked_at
            if not -timedelta(days=SETTLEMENT_BANK_DAYS_BEFORE) - slack <= delta <= timedelta(
                    days=SETTLEMENT_BANK_DAYS_AFTER) + slack:
                continue
            quoted = _quotes(texts, gateway.reference)
            candidates.append((not quoted, abs(delta), bank.id, gateway.id))
    return [SettlementLinkResult(bank_id, gateway_id, RULE_SETTLEMENT_AMOUNT_DATE if unquoted
                                 else RULE_SETTLEMENT_REFERENCE, 80 if unquoted else 100)
            for unquoted, _distance, bank_id, gateway_id in _one_to_one(candidates)]


def _quotes(text: str, reference: str) -> bool:
    """Whether `text` (upper case) carries the reference as a whole token (not inside a longer number)."""
    reference = reference.strip().upper()
    if len(reference) < SETTLEMENT_REFERENCE_CHARS_MIN:
        return False
    return re.search(rf"(?<![0-9A-Z]){re.escape(reference)}(?![0-9A-Z])", text) is not None
