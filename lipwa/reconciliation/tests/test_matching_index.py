"""The amount-phone-time rule looks payments up by (currency, amount) instead of scanning them all; it must
choose exactly what the plain scan over every pair chooses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lipwa.reconciliation import matching
from lipwa.reconciliation.matching import RULE_AMOUNT_PHONE_TIME, LineView, MatchResult, PaymentView

START = datetime(2026, 10, 1, tzinfo=UTC)
minutes = st.integers(0, 180).map(lambda m: START + timedelta(minutes=m))
PHONES = ["254712345678", "254712345679", "254733000111", "0712345678", "25471"]
COUNTERPARTIES = ["254712345678", "254712***678", "2547****679", "254733000111 - JANE", "", "0712 345 678"]


def _scan(lines: list[LineView], payments: list[PaymentView], window_minutes: int) -> list[MatchResult]:
    """The rule written as a scan of every (line, payment) pair."""
    candidates = []
    for line in lines:
        if line.direction != "credit" or not line.counterparty:
            continue
        window = timedelta(minutes=window_minutes) + (timedelta(days=1) if line.date_only else timedelta())
        for payment in payments:
            if (payment.currency, payment.amount_minor) != (line.currency, line.amount_minor) or not payment.phone:
                continue
            phone = matching._phone_matches(line.counterparty, payment.phone)
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


lines_strategy = st.lists(st.builds(
    LineView, id=st.integers(1, 10_000), reference=st.just(""), amount_minor=st.sampled_from([100, 200, 300]),
    currency=st.sampled_from(["KES", "TZS"]), direction=st.sampled_from(["credit", "credit", "debit"]),
    booked_at=minutes,
    counterparty=st.sampled_from(COUNTERPARTIES), date_only=st.booleans()), max_size=12,
    unique_by=lambda line: line.id)
payments_strategy = st.lists(st.builds(
    PaymentView, id=st.integers(1, 10_000).map(lambda n: f"pay_{n}"), amount_minor=st.sampled_from([100, 200, 300]),
    currency=st.sampled_from(["KES", "TZS"]), created_at=minutes,
    phone=st.sampled_from(PHONES + [""])), max_size=12, unique_by=lambda payment: payment.id)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, payments=payments_strategy, window_minutes=st.sampled_from([0, 15, 30, 120]))
def test_indexed_rule_chooses_what_a_full_scan_chooses(lines, payments, window_minutes):
    assert matching._by_amount_phone_time(lines, payments, window_minutes) == _scan(lines, payments, window_minutes)
