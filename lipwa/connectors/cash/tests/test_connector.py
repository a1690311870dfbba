"""The cash connector: no gateway, so a charge only describes what the customer must do."""

from __future__ import annotations

import pytest

from lipwa.common.money import CURRENCY_EXPONENTS, Money
from lipwa.connectors.cash.connector import CashConnector, cash_reference
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookVerification,
)


def connector() -> CashConnector:
    return CashConnector(AccountContext(account_id="ca_1", connector="cash", mode="live", credentials={},
                                        callback_url="https://lipwa.example/hooks/cash/ca_1/x/"))


def test_charge_asks_for_cash_on_delivery():
    result = connector().charge(ChargeRequest(attempt_id="att_01", payment_id="pay_01", amount=Money(2500, "KES")))
    assert result.status is ResultStatus.REQUIRES_ACTION
    assert result.gateway_reference == cash_reference("att_01")
    assert result.next_action == {"type": "cash_on_delivery", "reference": result.gateway_reference,
                                  "amount": 2500, "currency": "KES", "rider": None}


def test_reference_is_short_stable_and_distinct():
    first = cash_reference("att_01")
    assert first == cash_reference("att_01")
    assert first.startswith("COD-") and len(first) == 12
    assert len({cash_reference(f"att_{i}") for i in range(2000)}) == 2000


def test_sync_never_fails_a_cash_payment():
    result = connector().charge_sync(SyncRequest(attempt_id="att_01", gateway_reference="COD-1",
                                                 amount=Money(1, "KES")))
    assert result.status is ResultStatus.REQUIRES_ACTION
    assert result.next_action is None  # the core keeps the payment's next_action (with its rider)


def test_every_supported_currency_and_offline_in_test_and_live():
    assert CashConnector.currencies == frozenset(CURRENCY_EXPONENTS)
    assert CashConnector.methods == frozenset({"cash"})
    assert CashConnector.environment_of({"label": "desk"}) == "offline"
    assert CashConnector.default_expires_in_seconds == 3 * 24 * 3600
    for currency in ("UGX", "XOF", "ZWG", "USD"):
        connector().validate_charge(ChargeRequest(attempt_id="a", payment_id="p", amount=Money(1, currency)))


def test_callbacks_are_refused():
    inbound = InboundRequest(headers={}, body=b"{}")
    assert connector().webhook_verify(inbound) is WebhookVerification.REJECTED
    with pytest.raises(WebhookParseError):
        connector().webhook_parse(inbound)


def test_registered_with_an_empty_simulator(settings):
    from lipwa.connectors.cash.simulator.urls import urlpatterns
    from lipwa.connectors.registry import connector_class

    assert connector_class("cash") is CashConnector
    assert urlpatterns == []
