"""Conversions are shown on payments in another currency and never change what is charged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipwa.common import clock
from lipwa.common.money import CURRENCY_EXPONENTS
from lipwa.fx.rates import convert_minor, rate_invert, rate_parse
from lipwa.fx.services import rate_set
from lipwa.payments.presenters import payment_to_dict
from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def kes_payment(merchant):
    clock.freeze(T0)
    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant, amount_minor=150000)
    return payment


@pytest.mark.django_db
def test_payment_shows_its_value_in_the_settlement_currency(merchant, kes_payment):
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0 - timedelta(days=1))
    merchant.settlement_currency = "USD"
    merchant.save()
    kes_payment.refresh_from_db()
    shown = payment_to_dict(kes_payment)
    assert shown["amount"] == 150000 and shown["currency"] == "KES"
    assert shown["conversion"] == {"currency": "USD", "amount": 1155, "rate": "0.0077",
                                   "rate_at": int((T0 - timedelta(days=1)).timestamp())}


@pytest.mark.django_db
@pytest.mark.parametrize("settlement", ["", "KES", "ZZZ"])
def test_no_conversion_without_another_known_settlement_currency(merchant, kes_payment, settlement):
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0 - timedelta(days=1))
    merchant.settlement_currency = settlement
    merchant.save()
    kes_payment.refresh_from_db()
    assert payment_to_dict(kes_payment)["conversion"] is None


@pytest.mark.django_db
def test_no_rate_means_no_conversion_never_an_error(merchant, kes_payment):
    merchant.settlement_currency = "USD"
    merchant.save()
    rate_set(base="KES", quote="USD", rate="0.0077", effective_at=T0 + timedelta(days=1))  # too late
    kes_payment.refresh_from_db()
    shown = payment_to_dict(kes_payment)
    assert shown["conversion"] is None and shown["amount"] == 150000 and shown["status"] == "processing"


_CURRENCIES = sorted(CURRENCY_EXPONENTS)
_RATES = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6).filter(lambda d: d > 0)


@given(amount=st.integers(min_value=1, max_value=10**13), source=st.sampled_from(_CURRENCIES),
       target=st.sampled_from(_CURRENCIES), rate=_RATES)
def test_conversion_is_reversible_within_rounding(amount, source, target, rate):
    rate = rate_parse(str(rate))
    converted = convert_minor(amount, source, target, rate)
    back = convert_minor(converted, target, source, rate_invert(rate))
    # Each rounding is at most half a minor unit of its currency; the first one, carried back, is worth
    # half a target unit at the inverse rate. The inverse itself is exact to 28 digits.
    unit_back = Decimal(10) ** (CURRENCY_EXPONENTS[source] - CURRENCY_EXPONENTS[target]) / rate
    bound = Decimal("0.5") + Decimal("0.5") * unit_back + Decimal(amount) * Decimal("1e-20") + 1
    assert abs(back - amount) <= bound


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shillings=st.integers(min_value=1, max_value=150000), rate=_RATES, settlement=st.sampled_from(["USD", "UGX"]))
def test_a_conversion_never_changes_the_payment(merchant, shillings, rate, settlement):
    amount = shillings * 100  # M-Pesa, the factory's gateway, takes whole shillings
    from lipwa.payments.models import PaymentIntent

    clock.freeze(T0)
    if not merchant.connector_accounts.exists():
        unreachable_mpesa_account(merchant)
    from lipwa.fx.models import ExchangeRate

    ExchangeRate.objects.all().delete()
    rate_set(base="KES", quote=settlement, rate=str(rate), effective_at=T0 - timedelta(hours=1))
    merchant.settlement_currency = settlement
    merchant.save()
    payment, _ = payment_with_attempt(merchant, amount_minor=amount)
    payment = PaymentIntent.objects.select_related("merchant").get(id=payment.id)
    shown = payment_to_dict(payment)
    payment.refresh_from_db()
    assert shown["amount"] == payment.amount_minor == amount and shown["currency"] == payment.currency == "KES"
    assert shown["conversion"]["amount"] == convert_minor(amount, "KES", settlement, rate_parse(str(rate)))
