"""The review queue's actions: corrections posted through the ledger (balanced, once), attaching unmatched
credits through the core, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.ledger.models import Transfer
from lipwa.ledger.selectors import ledger_verify
from lipwa.reconciliation.attach import attach_unmatched_line
from lipwa.reconciliation.models import Discrepancy, Match, StatementLine
from lipwa.reconciliation.resolutions import resolve_discrepancy
from lipwa.reconciliation.selectors import review_queue
from lipwa.reconciliation.services import statement_import, statement_reconcile

from .conftest import mtn_csv

pytestmark = pytest.mark.django_db
NOON = "2026-11-02 12:00:00"


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # noon in Kampala


def reconcile(merchant, *rows):
    statement = statement_import(merchant=merchant, mode="test", format="mtn_momo_csv", filename="mtn.csv",
                                 data=mtn_csv(*rows))
    statement_reconcile(statement=statement)
    return statement


def only(kind: str) -> Discrepancy:
    return Discrepancy.objects.get(kind=kind)


def balance(merchant, kind: str, currency: str = "UGX") -> int:
    from lipwa.ledger.models import LedgerAccount

    total = 0
    for account in LedgerAccount.objects.filter(merchant=merchant, kind=kind, currency=currency):
        total += account.credits_posted - account.debits_posted
    return total


def test_accepting_a_fee_difference_posts_one_balanced_correction(merchant, gateway_payment):
    payment = gateway_payment(amount=50_000, receipt="7634219051")
    reconcile(merchant, ("7634219051", NOON, "256772123456", "50,000", "500"))
    found = only("fee_difference")
    assert found.details == {"line_fee": 500, "payment_fee": 0, "currency": "UGX"}
    available = balance(merchant, "merchant_available")
    resolved = resolve_discrepancy(found, action="accept_statement", actor="ops@shop", note="MTN tariff")
    assert (resolved.status, resolved.resolution, resolved.resolved_by) == ("resolved", "accept_statement", "ops@shop")
    transfer = Transfer.objects.get(id=f"{found.id}:accept_statement")
    assert (transfer.code, transfer.amount_minor, transfer.payment_id) == ("CORRECTION", 500, payment.id)
    assert (transfer.debit_account.kind, transfer.credit_account.kind) == ("merchant_available", "fees")
    assert balance(merchant, "merchant_available") == available - 500 and ledger_verify() == []
    with pytest.raises(Conflict) as twice:
        resolve_discrepancy(found, action="accept_statement", actor="ops@shop")
    assert twice.value.code == "discrepancy_resolved" and Transfer.objects.filter(code="CORRECTION").count() == 1


@pytest.mark.parametrize(("action", "ours"), [("accept_statement", "merchant_available"),
                                              ("write_off", "corrections")])
def test_an_amount_mismatch_moves_the_difference(merchant, gateway_payment, action, ours):
    gateway_payment(amount=50_000, receipt="7634219051")
    reconcile(merchant, ("7634219051", NOON, "256772123456", "49,000", "0"))
    found = only("amount_mismatch")
    resolve_discrepancy(found, action=action, actor="ops@shop", note="short-paid by the network")
    transfer = Transfer.objects.get(id=f"{found.id}:{action}")
    # The gateway holds 1,000 less than lipwa booked: it leaves clearing's debit side from `ours`.
    assert (transfer.debit_account.kind, transfer.credit_account.kind, transfer.amount_minor) == (
        ours, "gateway_clearing", 1_000)
    assert ledger_verify() == []


def test_a_payment_missing_from_the_statement_has_its_charge_taken_back(merchant, gateway_payment):
    payment = gateway_payment(amount=20_000, receipt="7634200000")
    reconcile(merchant, ("7634219999", NOON, "256700000001", "1,000", "0"))
    found = only("missing_in_statement")
    assert found.payment_id == payment.id
    before = balance(merchant, "merchant_available")
    resolve_discrepancy(found, action="accept_statement", actor="ops@shop")
    assert balance(merchant, "merchant_available") == before - 20_000 and ledger_verify() == []


def test_review_then_write_off_and_the_queue(merchant, gateway_payment):
    reconcile(merchant, ("7634219999", NOON, "256700000001", "1,000", "0"))
    found = only("missing_in_lipwa")
    page, more = review_queue(merchant, mode="test")
    assert [d.id for d in page] == [found.id] and not more
    with pytest.raises(Conflict) as refused:
        resolve_discrepancy(found, action="accept_statement", actor="ops@shop")
    assert refused.value.code == "action_not_applicable"
    reviewed = resolve_discrepancy(found, action="mark_reviewed", actor="ops@shop", note="asked MTN")
    assert reviewed.status == "reviewed" and reviewed.reviewed_at is not None
    assert [d.id for d in review_queue(merchant, mode="test")[0]] == [found.id]  # still waiting
    with pytest.raises(Conflict):
        resolve_discrepancy(found, action="mark_reviewed", actor="ops@shop")
    with pytest.raises(InvalidRequest) as no_note:
        resolve_discrepancy(found, action="write_off", actor="ops@shop", note="  ")
    assert no_note.value.code == "note_required"
    resolve_discrepancy(found, action="write_off", actor="ops@shop", note="test deposit by staff")
    assert review_queue(merchant, mode="test")[0] == []
    assert [d.id for d in review_queue(merchant, mode="test", status="resolved")[0]] == [found.id]
    assert not Transfer.objects.filter(code="CORRECTION").exists()  # lipwa never booked that money


@pytest.mark.parametrize(("kwargs", "error", "code"), [
    ({"action": "approve", "actor": "ops"}, InvalidRequest, "action_unknown"),
    ({"action": "write_off", "actor": ""}, InvalidRequest, "actor_required"),
    ({"action": "write_off", "actor": "ops", "note": "x" * 1001}, InvalidRequest, None),
])
def test_bad_resolution_requests(merchant, kwargs, error, code):
    reconcile(merchant, ("7634219999", NOON, "256700000001", "1,000", "0"))
    with pytest.raises(error) as caught:
        resolve_discrepancy(only("missing_in_lipwa"), **kwargs)
    assert code is None or caught.value.code == code
    assert only("missing_in_lipwa").status == "open"


def test_a_c2b_deposit_attached_to_an_open_payment(merchant, gateway_payment):
    # The customer paid from another phone after the prompt timed out on theirs: no rule can match it.
    payment = gateway_payment(amount=15_500, phone="+256772123456", succeed=False)
    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)
    assert only("missing_in_lipwa").line_id == line.id
    match = attach_unmatched_line(line, payment=payment, actor="ops@shop")
    payment.refresh_from_db()
    assert (payment.status, payment.receipt_number, match.rule) == ("succeeded", "7634220417", "operator")
    assert (only("missing_in_lipwa").status, only("missing_in_lipwa").resolution) == ("resolved", "attach")
    assert Transfer.objects.filter(payment_id=payment.id, code="CHARGE", amount_minor=15_500).exists()
    assert ledger_verify() == []
    with pytest.raises(Conflict) as again:
        attach_unmatched_line(line, payment=payment, actor="ops@shop")
    assert again.value.code == "line_already_matched"


def test_attach_refusals(merchant, gateway_payment):
    from lipwa.merchants.services import merchant_create
    from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)
    other_merchant = merchant_create(name="Other")
    unreachable_mpesa_account(other_merchant)
    unreachable_mpesa_account(merchant)
    cases = [
        ({}, InvalidRequest, "target_required"),
        ({"payment": payment_with_attempt(other_merchant, amount_minor=15_500)[0]}, NotFound, "payment_not_found"),
        ({"payment": payment_with_attempt(merchant, amount_minor=15_500)[0]}, InvalidRequest, "currency_mismatch"),
        ({"payment": gateway_payment(amount=15_000, succeed=False)}, InvalidRequest, "amount_mismatch"),
        ({"payment": gateway_payment(amount=15_500, receipt="R9")}, Conflict, "payment_not_attachable"),
    ]
    for kwargs, error, code in cases:
        with pytest.raises(error) as caught:
            attach_unmatched_line(line, actor="ops@shop", **kwargs)
        assert caught.value.code == code, (kwargs, caught.value)
    assert not Match.objects.exists() and only("missing_in_lipwa").status == "open"


def test_a_deposit_attached_to_an_invoice_pays_it(merchant, gateway_payment):
    from lipwa.invoicing.services import invoice_create, invoice_issue

    invoice = invoice_create(merchant=merchant, mode="test", currency="UGX", due_date=clock.now().date(),
                             lines=[{"description": "Textbooks", "unit_amount": 15_500}])
    invoice = invoice_issue(merchant=merchant, mode="test", invoice_id=invoice.id)
    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)
    payment = gateway_payment(amount=15_500, metadata={"invoice": invoice.id}, succeed=False)
    attach_unmatched_line(line, invoice=invoice, actor="ops@shop")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid_minor) == ("paid", 15_500)
    assert Match.objects.get().payment_id == payment.id


def _issued_invoice(merchant, amount: int, currency: str = "UGX"):
    from lipwa.invoicing.services import invoice_create, invoice_issue

    invoice = invoice_create(merchant=merchant, mode="test", currency=currency, due_date=clock.now().date(),
                             lines=[{"description": "Premium, November", "unit_amount": amount}])
    return invoice_issue(merchant=merchant, mode="test", invoice_id=invoice.id)


def test_a_deposit_for_an_invoice_with_no_payment_becomes_its_received_payment(merchant, gateway_payment):
    """A customer paid the paybill/till quoting nothing lipwa asked for: no prompt, no open payment. Attached
    to the invoice, the line becomes a succeeded payment of its own (no gateway call), paying part of it."""
    from lipwa.audit.models import AuditEntry
    from lipwa.payments.models import PaymentEvent, PaymentIntent

    gateway_payment(amount=1_000)  # the merchant's MTN account (its gateway is never called)
    invoice = _issued_invoice(merchant, 40_000)
    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)

    match = attach_unmatched_line(line, invoice=invoice, actor="ops@shop")

    payment = PaymentIntent.objects.get(id=match.payment_id)
    assert (payment.status, payment.provider, payment.method, payment.amount_minor, payment.receipt_number) == (
        "succeeded", "mtn_momo", "mobile_money", 15_500, "7634220417")
    assert payment.metadata == {"invoice": invoice.id} and payment.merchant_reference == invoice.number
    attempt = payment.attempts.get()
    assert (attempt.status, attempt.gateway_status) == ("succeeded", "recorded_from_statement")
    assert [e.type for e in PaymentEvent.objects.filter(payment=payment).order_by("id")] == [
        "payment.created", "payment.processing", "payment.succeeded"]
    assert Transfer.objects.filter(payment_id=payment.id, code="CHARGE", amount_minor=15_500).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid_minor, invoice.amount_due_minor) == ("partially_paid", 15_500, 24_500)
    assert (only("missing_in_lipwa").status, only("missing_in_lipwa").resolution) == ("resolved", "attach")
    assert AuditEntry.objects.filter(action="payment.record_received", object_id=payment.id).exists()
    assert ledger_verify() == []
    with pytest.raises(Conflict) as again:
        attach_unmatched_line(line, invoice=invoice, actor="ops@shop")
    assert again.value.code == "line_already_matched"
    assert PaymentIntent.objects.filter(metadata__invoice=invoice.id).count() == 1


def test_a_bank_transfer_quoting_nothing_pays_an_invoice_in_full(merchant, bank_transfer):
    from lipwa.payments.models import PaymentIntent

    from .conftest import equity_csv

    bank_transfer(amount=100)  # the merchant's bank-transfer account
    invoice = _issued_invoice(merchant, 2_500_000, currency="KES")
    statement = statement_import(merchant=merchant, mode="test", format="bank_csv", preset="equity_ke", currency="KES",
                                 filename="equity.csv",
                                 data=equity_csv(("02/11/2026", "TRF FROM JANE WANJIKU", "FT2630600123", "25,000.00")))
    statement_reconcile(statement=statement)
    line = StatementLine.objects.get(statement=statement)
    match = attach_unmatched_line(line, invoice=invoice, actor="ops@shop")
    payment = PaymentIntent.objects.get(id=match.payment_id)
    assert (payment.status, payment.method, payment.receipt_number) == ("succeeded", "bank_transfer", "FT2630600123")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due_minor) == ("paid", 0)
    assert ledger_verify() == []


def test_recording_a_deposit_for_an_invoice_is_refused_cleanly(merchant, gateway_payment):
    from lipwa.invoicing.services import invoice_void
    from lipwa.payments.models import PaymentIntent

    gateway_payment(amount=1_000)
    small = _issued_invoice(merchant, 10_000)
    void = _issued_invoice(merchant, 20_000)
    invoice_void(merchant=merchant, mode="test", invoice_id=void.id)
    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)
    for invoice, code in ((small, "invoice_overpaid"), (void, "invoice_void")):
        with pytest.raises(Conflict) as caught:
            attach_unmatched_line(line, invoice=invoice, actor="ops@shop")
        assert caught.value.code == code, caught.value
    assert not Match.objects.exists() and only("missing_in_lipwa").status == "open"
    assert PaymentIntent.objects.count() == 1  # only the account's own earlier payment


def test_an_invoice_paid_by_another_payment_meanwhile_is_not_overpaid(merchant, gateway_payment, monkeypatch):
    """The invoice is checked unlocked first (locking it before the new payment could deadlock with another
    payment of it), then again under the lock the payment's success takes: overpaid, everything rolls back."""
    from lipwa.payments import received
    from lipwa.payments.models import PaymentIntent

    gateway_payment(amount=1_000)
    invoice = _issued_invoice(merchant, 20_000)
    statement = reconcile(merchant, ("7634220417", NOON, "256701555444", "15,500", "0"))
    line = StatementLine.objects.get(statement=statement)
    record = received.payment_record_received

    def another_payment_first(**kwargs):
        gateway_payment(amount=10_000, metadata={"invoice": invoice.id})  # succeeds, pays 10,000 of it
        return record(**kwargs)

    monkeypatch.setattr(received, "payment_record_received", another_payment_first)
    with pytest.raises(Conflict) as caught:
        attach_unmatched_line(line, invoice=invoice, actor="ops@shop")
    assert caught.value.code == "invoice_overpaid" and "only 10000 UGX is due" in caught.value.message
    assert not Match.objects.exists() and only("missing_in_lipwa").status == "open"
    assert not PaymentIntent.objects.filter(receipt_number="7634220417").exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid_minor == 0
