"""The matching rules, one by one, and the property that a statement built from known payments matches fully."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lipwa.reconciliation.matching import (
    RULE_AMOUNT_PHONE_TIME,
    RULE_BANK_TRANSFER_REFERENCE,
    RULE_REFERENCE,
    LineView,
    PaymentView,
    bank_reference_normalize,
    bank_references_in,
    match_lines,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def line(id_, amount=1000, **kw) -> LineView:
    return LineView(id=id_, reference=kw.pop("reference", ""), amount_minor=amount, currency=kw.pop("currency", "KES"),
                    direction=kw.pop("direction", "credit"), booked_at=kw.pop("booked_at", T0), **kw)


def payment(id_, amount=1000, **kw) -> PaymentView:
    return PaymentView(id=id_, amount_minor=amount, currency=kw.pop("currency", "KES"),
                       created_at=kw.pop("created_at", T0), **kw)


def test_reference_rule_and_amount_flag():
    [exact, off] = match_lines([line(1, reference="skb1"), line(2, amount=999, reference="SKB2")],
                               [payment("a", receipt_number="SKB1"), payment("b", gateway_reference="SKB2")])
    assert (exact.rule, exact.payment_id, exact.confidence_percent, exact.amount_matches) == (RULE_REFERENCE, "a", 100,
                                                                                               True)
    assert (off.payment_id, off.amount_matches, off.confidence_percent) == ("b", False, 80)


def test_debits_and_other_currencies_never_match():
    assert match_lines([line(1, reference="SKB1", direction="debit"), line(2, reference="SKB2", currency="UGX")],
                       [payment("a", receipt_number="SKB1"), payment("b", receipt_number="SKB2")]) == []


def test_amount_phone_time_rule_prefers_nearest_and_honours_window():
    lines = [line(1, counterparty="2547****678", booked_at=T0 + timedelta(minutes=3))]
    payments = [payment("far", phone="+254712345678", created_at=T0 - timedelta(minutes=20)),
                payment("near", phone="+254712345678", created_at=T0),
                payment("other", phone="+254799999678", created_at=T0)]
    [result] = match_lines(lines, payments)
    assert (result.payment_id, result.rule, result.confidence_percent) == ("near", RULE_AMOUNT_PHONE_TIME, 70)
    assert match_lines(lines, payments[:1], window_minutes=10) == []
    [full] = match_lines([line(1, counterparty="0712345678")], [payment("a", phone="+254712345678")])
    assert full.confidence_percent == 90


def test_bank_reference_rule_reads_what_people_type():
    assert bank_reference_normalize("lpw 7k0q-2m9x") == "LPW-7K0Q2M9X"
    assert bank_references_in("VIR RECU lpw.7kOq 2m9x merci") == ["LPW-7K0Q2M9X"]
    [result] = match_lines([line(1, description="TRF FROM JOHN lpw-7KOQ-2M9X")],
                           [payment("a", gateway_reference="LPW-7K0Q2M9X")])
    assert (result.rule, result.confidence_percent) == (RULE_BANK_TRANSFER_REFERENCE, 95)


def test_one_line_one_payment():
    results = match_lines([line(1, reference="R1"), line(2, reference="R1"), line(3, payer_reference="LPW-00000000")],
                          [payment("a", receipt_number="R1", gateway_reference="LPW-00000000")])
    assert [(r.line_id, r.payment_id) for r in results] == [(1, "a")]


def _mangle(reference: str, rnd: random.Random) -> str:
    chars = reference.removeprefix("LPW-")
    swapped = "".join({"0": rnd.choice("0Oo"), "1": rnd.choice("1IiLl")}.get(c, c) for c in chars)
    spaced = swapped[:4] + rnd.choice(["", " ", "-"]) + swapped[4:]
    return rnd.choice(["LPW-", "lpw ", "LPW", "Lpw-"]) + (spaced.lower() if rnd.random() < 0.5 else spaced)


kinds = st.sampled_from(["receipt", "phone", "bank"])


@settings(max_examples=60, deadline=None)
@given(specs=st.lists(st.tuples(kinds, st.integers(1, 5) .map(lambda n: n * 10_000),
                                st.integers(0, 2), st.integers(-25, 25)), min_size=1, max_size=25),
       seed=st.integers(0, 2**32 - 1))
def test_statement_built_from_payments_matches_fully(specs, seed):
    rnd = random.Random(seed)
    payments, lines, truth = [], [], {}
    for index, (kind, amount, phone_index, drift_minutes) in enumerate(specs):
        created = T0 + timedelta(hours=index)
        phone = f"+2547123456{phone_index:02d}"
        bank = "LPW-" + "".join(rnd.choice(CROCKFORD) for _ in range(8))
        payments.append(PaymentView(
            id=f"pay_{index}", amount_minor=amount, currency="KES", created_at=created, phone=phone,
            receipt_number=f"SKB{index:07d}" if kind == "receipt" else "",
            gateway_reference=bank if kind == "bank" else f"ws_CO_{index}"))
        lines.append(LineView(
            id=index, reference={"receipt": f"SKB{index:07d}", "bank": f"FT{index:08d}"}.get(kind, ""),
            amount_minor=amount, currency="KES", direction="credit",
            booked_at=created + timedelta(minutes=drift_minutes),
            counterparty=f"2547****56{phone_index:02d}" if kind == "phone" else "",
            description=f"TRF {_mangle(bank, rnd)} THANKS" if kind == "bank" else "Pay Bill"))
        truth[index] = (kind, payments[-1])
    rnd.shuffle(lines)
    rnd.shuffle(payments)
    results = match_lines(lines, payments)
    assert sorted(r.line_id for r in results) == sorted(truth)  # every line, once
    assert len({r.payment_id for r in results}) == len(results) == len(payments)  # every payment, once
    by_id = {p.id: p for p in payments}
    for result in results:
        kind, expected = truth[result.line_id]
        got = by_id[result.payment_id]
        if kind == "phone":  # equal amount and phone: indistinguishable, either pairing is right
            assert (got.amount_minor, got.phone) == (expected.amount_minor, expected.phone)
        else:
            assert got.id == expected.id
        assert result.amount_matches
