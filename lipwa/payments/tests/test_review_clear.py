"""`payment_review_clear`: a person clears the needs-review flag; audited, idempotent, status untouched."""

from __future__ import annotations

import pytest

from lipwa.audit.services import audit_trail
from lipwa.common.errors import NotFound
from lipwa.merchants.services import connector_account_create
from lipwa.payments.models import PaymentIntent
from lipwa.payments.services import payment_create, payment_review_clear

pytestmark = pytest.mark.django_db


def test_clearing_is_audited_once_and_leaves_the_status(merchant):
    connector_account_create(merchant=merchant, connector="cash", mode="test", credentials={"label": "till"})
    payment = payment_create(merchant=merchant, mode="test", amount=5_000, currency="KES", method="cash")
    PaymentIntent.objects.filter(id=payment.id).update(needs_review=True)
    cleared = payment_review_clear(payment_id=payment.id, reviewer="ops@shop.example", note="checked statement")
    assert not cleared.needs_review and cleared.status == payment.status
    payment_review_clear(payment_id=payment.id, reviewer="ops@shop.example")
    trail = audit_trail(object_id=payment.id)
    assert [(e.action, e.actor, e.details) for e in trail] == [
        ("payment.review_clear", "ops@shop.example", {"note": "checked statement"})]


def test_an_unknown_payment_is_not_found(db):
    with pytest.raises(NotFound):
        payment_review_clear(payment_id="pay_nope", reviewer="x")
