"""payment_create with confirm: the payment, its attempt and both events commit together or not at all."""

from __future__ import annotations

import pytest

from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create
from lipwa.payments import services
from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent
from lipwa.payments.services import payment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_account(merchant):
    return connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                                    credentials=connector_class("bank_transfer").simulator_credentials(""))


def test_created_and_confirmed_payment_records_both_events_in_order(merchant, bank_account):
    payment = payment_create(merchant=merchant, mode="test", amount=150000, currency="KES", method="bank_transfer")
    events = list(PaymentEvent.objects.filter(payment=payment).order_by("id").values_list("type", "data"))
    assert [kind for kind, _ in events] == ["payment.created", "payment.processing", "payment.requires_action"]
    assert [data["object"]["status"] for _, data in events] == ["pending", "processing", "requires_action"]
    assert payment.attempts.get().status == "requires_action"


def test_a_failure_while_confirming_leaves_no_payment_behind(merchant, bank_account, monkeypatch):
    recorded = services.event_record

    def failing(payment, event_type, **kwargs):
        if event_type == "payment.processing":
            raise RuntimeError("crash between the insert and the confirmation")
        return recorded(payment, event_type, **kwargs)

    monkeypatch.setattr(services, "event_record", failing)
    with pytest.raises(RuntimeError):
        payment_create(merchant=merchant, mode="test", amount=150000, currency="KES", method="bank_transfer")
    assert not PaymentIntent.objects.exists()
    assert not PaymentAttempt.objects.exists()
    assert not PaymentEvent.objects.exists()
