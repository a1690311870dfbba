"""Bank transfers wait for an operator's confirmation; every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lipwa.audit.models import AuditEntry
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.connectors.registry import connector_class
from lipwa.ledger.models import Transfer
from lipwa.merchants.services import connector_account_create
from lipwa.payments.models import PaymentEvent, PaymentIntent
from lipwa.payments.offline import payment_confirm_offline
from lipwa.payments.services import attempt_sync, payment_create, payment_expire

pytestmark = pytest.mark.django_db


def demo_credentials() -> dict[str, str]:
    # Through the registry: the core's tests never name a gateway's package either.
    return connector_class("bank_transfer").simulator_credentials("")


@pytest.fixture
def bank_account(merchant):
    return connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                                    credentials=demo_credentials())


@pytest.fixture
def transfer(merchant, bank_account):
    return payment_create(merchant=merchant, mode="test", amount=150000, currency="KES", method="bank_transfer")


def _snapshot(payment_id: str):
    payment = PaymentIntent.objects.get(id=payment_id)
    attempt = payment.attempts.get()
    return (payment.status, payment.receipt_number, attempt.status, attempt.connector_state,
            PaymentEvent.objects.filter(payment_id=payment_id).count(), Transfer.objects.count(),
            AuditEntry.objects.filter(object_id=payment_id).count())


def test_bank_transfer_waits_with_instructions(transfer):
    assert transfer.status == "requires_action"
    assert transfer.next_action["type"] == "bank_transfer_instructions"
    assert transfer.next_action["reference"] == transfer.gateway_reference
    assert transfer.next_action["expires_at"] == int(transfer.expires_at.timestamp())
    assert transfer.expires_at - transfer.created_at == timedelta(days=7)


def test_account_expiry_days_override_the_default_and_expires_in_overrides_both(merchant):
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=demo_credentials() | {"expiry_days": "30"})
    payment = payment_create(merchant=merchant, mode="test", amount=100, currency="KES", method="bank_transfer")
    assert payment.expires_at - payment.created_at == timedelta(days=30)
    short = payment_create(merchant=merchant, mode="test", amount=100, currency="KES", method="bank_transfer",
                           expires_in=3600)
    assert short.expires_at - short.created_at == timedelta(hours=1)


def test_currency_the_account_does_not_take_is_refused(merchant, bank_account):
    with pytest.raises(InvalidRequest) as refused:
        payment_create(merchant=merchant, mode="test", amount=100, currency="NGN", method="bank_transfer")
    assert refused.value.code == "currency_not_supported"
    assert not PaymentIntent.objects.exists()


def test_the_janitor_never_fails_a_transfer(transfer):
    attempt = transfer.attempts.get()
    for _ in range(5):
        assert attempt_sync(attempt_id=attempt.id).status == "requires_action"
    assert PaymentIntent.objects.get(id=transfer.id).next_action["reference"] == transfer.gateway_reference


def test_operator_confirms_with_evidence(transfer):
    payment = payment_confirm_offline(payment_id=transfer.id, operator="user:amina",
                                      evidence={"reference": "FT24123ABC", "note": "seen on statement"},
                                      amount_minor=150000)
    assert payment.status == "succeeded" and payment.receipt_number == "FT24123ABC"
    attempt = payment.attempts.get()
    assert attempt.status == "succeeded"
    assert attempt.connector_state["confirmed_by"] == "user:amina"
    assert attempt.connector_state["evidence_reference"] == "FT24123ABC"
    [entry] = AuditEntry.objects.filter(object_id=payment.id)
    assert entry.action == "payment.manual_confirm" and entry.actor == "user:amina"
    assert entry.details["evidence"]["reference"] == "FT24123ABC"
    assert Transfer.objects.filter(payment_id=payment.id, code="CHARGE", amount_minor=150000).count() == 1
    types = list(PaymentEvent.objects.filter(payment=payment).order_by("created_at", "id").values_list("type",
                                                                                                      flat=True))
    assert types[-1] == "payment.succeeded" and "payment.requires_action" in types


@pytest.mark.parametrize("evidence", [{}, {"reference": ""}, {"reference": "   "}, {"note": "paid"}, None,
                                      "FT24123ABC", {"reference": "x" * 101}])
def test_confirm_without_usable_evidence_changes_nothing(transfer, evidence):
    before = _snapshot(transfer.id)
    with pytest.raises(InvalidRequest):
        payment_confirm_offline(payment_id=transfer.id, operator="user:amina", evidence=evidence)
    assert _snapshot(transfer.id) == before


def test_confirm_twice_is_refused_and_changes_nothing(transfer):
    payment_confirm_offline(payment_id=transfer.id, operator="user:amina", evidence={"reference": "FT1"})
    before = _snapshot(transfer.id)
    with pytest.raises(Conflict) as refused:
        payment_confirm_offline(payment_id=transfer.id, operator="user:bob", evidence={"reference": "FT2"})
    assert refused.value.code == "payment_not_confirmable"
    assert _snapshot(transfer.id) == before


@pytest.mark.parametrize("amount", [149999, 150001, 0, -150000, True])
def test_confirm_with_another_amount_is_refused(transfer, amount):
    before = _snapshot(transfer.id)
    with pytest.raises(InvalidRequest) as refused:
        payment_confirm_offline(payment_id=transfer.id, operator="user:amina", evidence={"reference": "FT1"},
                                amount_minor=amount)
    assert refused.value.code == "amount_mismatch"
    assert _snapshot(transfer.id) == before


def test_confirm_unknown_payment_is_not_found(transfer):
    before = _snapshot(transfer.id)
    with pytest.raises(NotFound):
        payment_confirm_offline(payment_id="pay_nope", operator="user:amina", evidence={"reference": "FT1"})
    assert _snapshot(transfer.id) == before


def test_confirm_without_operator_is_refused(transfer):
    before = _snapshot(transfer.id)
    with pytest.raises(InvalidRequest):
        payment_confirm_offline(payment_id=transfer.id, operator=" ", evidence={"reference": "FT1"})
    assert _snapshot(transfer.id) == before


def test_confirm_an_expired_transfer_is_refused(transfer):
    clock.advance(7 * 86400 + 1)
    payment_expire(payment_id=transfer.id)
    before = _snapshot(transfer.id)
    with pytest.raises(Conflict):
        payment_confirm_offline(payment_id=transfer.id, operator="user:amina", evidence={"reference": "FT1"})
    assert _snapshot(transfer.id) == before


def test_a_card_payment_cannot_be_confirmed_by_an_operator(merchant):
    credentials = connector_class("paystack").simulator_credentials("http://127.0.0.1:9/simulators/paystack")
    connector_account_create(merchant=merchant, connector="paystack", mode="test", credentials=credentials)
    card = payment_create(merchant=merchant, mode="test", amount=10000, currency="KES", method="card",
                          confirm=False)
    # Even waiting for the customer (a card redirect), it is the gateway that says whether money moved.
    PaymentIntent.objects.filter(id=card.id).update(status="requires_action")
    events_before = PaymentEvent.objects.filter(payment_id=card.id).count()
    with pytest.raises(Conflict) as refused:
        payment_confirm_offline(payment_id=card.id, operator="user:amina", evidence={"reference": "FT1"})
    assert refused.value.code == "payment_not_offline"
    card.refresh_from_db()
    assert card.status == "requires_action" and not card.receipt_number
    assert PaymentEvent.objects.filter(payment_id=card.id).count() == events_before
    assert not Transfer.objects.exists() and not AuditEntry.objects.filter(object_id=card.id).exists()
