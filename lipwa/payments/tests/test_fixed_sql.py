"""lipwa.common.fixed_sql on the payment models it serves: it writes and reads exactly what the ORM does.

(Here rather than in lipwa/common/tests: common may not import the apps whose models it is used on.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.db.transaction import TransactionManagementError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common import clock
from lipwa.common.fixed_sql import row_insert, row_update, rows_exist, rows_select
from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent

from .factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def payment(merchant):
    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    return payment


def test_select_reads_what_the_orm_reads_with_its_related_rows(payment, django_assert_num_queries):
    payment.metadata = {"order": "A-1", "nested": {"n": 1}}
    payment.next_action = None
    payment.needs_review = True
    payment.save()
    expected = PaymentIntent.objects.select_related("connector_account", "merchant").get(id=payment.id)
    with transaction.atomic():
        with django_assert_num_queries(1):
            [found] = rows_select(PaymentIntent, "t.id = %s", [payment.id],
                                  related=("connector_account", "merchant"), lock=True)
            assert _values(found.connector_account) == _values(expected.connector_account)
            assert _values(found.merchant) == _values(expected.merchant)
    assert _values(found) == _values(expected)
    assert found.needs_review is True and found.created_at.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"
    assert rows_select(PaymentIntent, "t.id = %s", ["pay_missing"]) == []


def test_select_orders_and_limits_like_the_orm(payment):
    now = clock.now()
    later = PaymentAttempt.objects.create(payment=payment, connector_account=payment.connector_account,
                                          connector=payment.provider, amount_minor=payment.amount_minor,
                                          currency=payment.currency, created_at=now + timedelta(seconds=1),
                                          updated_at=now)
    [newest] = rows_select(PaymentAttempt, "t.payment_id = %s ORDER BY t.created_at DESC, t.id DESC LIMIT 1",
                           [payment.id])
    assert newest.id == later.id == payment.attempts.order_by("-created_at", "-id").first().id


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction, as in production
def test_a_lock_outside_a_transaction_is_refused_like_select_for_update(payment):
    with pytest.raises(TransactionManagementError):
        rows_select(PaymentIntent, "t.id = %s", [payment.id], lock=True)


def test_exists(payment):
    attempt = payment.attempts.get()
    assert rows_exist(PaymentAttempt, "t.payment_id = %s", [payment.id])
    assert not rows_exist(PaymentAttempt, "t.payment_id = %s AND t.id <> %s", [payment.id, attempt.id])


def test_update_writes_the_named_columns_only(payment):
    payment.status = "requires_action"
    payment.next_action = {"type": "redirect", "url": "https://example.test/3ds"}
    payment.description = "changed in memory only"
    row_update(payment, ("status", "next_action"))
    stored = PaymentIntent.objects.get(id=payment.id)
    assert (stored.status, stored.next_action) == ("requires_action", payment.next_action)
    assert stored.description == ""


def test_update_of_a_missing_row_is_refused_unless_allowed(payment):
    ghost = PaymentIntent(id="pay_ghost", **{k: v for k, v in _values(payment).items() if k != "id"})
    with pytest.raises(DatabaseError):
        row_update(ghost, ("status",))
    row_update(ghost, ("status",), missing_ok=True)
    assert not PaymentIntent.objects.filter(id="pay_ghost").exists()


def test_update_refuses_a_model_with_its_own_save(payment):
    event = PaymentEvent.objects.filter(payment=payment).first()
    with pytest.raises(TypeError):
        row_update(event, ("type",))


# PostgreSQL text and jsonb cannot hold NUL; the ORM refuses it there as well.
TEXT = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(TEXT, max_size=20),
                    lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.text(TEXT, max_size=8), children, max_size=3), max_leaves=8)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.dictionaries(st.text(TEXT, max_size=10), JSON, max_size=4), event_type=st.text(TEXT, max_size=60),
       attempt_id=st.text(TEXT, max_size=40),
       created_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                               timezones=st.just(UTC)))
def test_insert_stores_what_the_orm_stores(payment, data, event_type, attempt_id, created_at):
    """Any event inserted with fixed SQL reads back (through the ORM) exactly as its ORM-inserted twin."""
    def event():
        return PaymentEvent(merchant_id=payment.merchant_id, mode=payment.mode, payment=payment,
                            attempt_id=attempt_id, type=event_type, data=data, created_at=created_at)

    fixed, orm = event(), event()
    row_insert(fixed)
    orm.save()
    assert not fixed._state.adding
    stored_fixed, stored_orm = PaymentEvent.objects.get(id=fixed.id), PaymentEvent.objects.get(id=orm.id)
    assert {**_values(stored_fixed), "id": None} == {**_values(stored_orm), "id": None}
    [read] = rows_select(PaymentEvent, "t.id = %s", [fixed.id])
    assert _values(read) == _values(stored_fixed)
