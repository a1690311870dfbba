"""The bank transfer connector: instructions, references, expiry and the account's configuration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lipwa.common.money import Money
from lipwa.connectors.bank_transfer.connector import (
    CROCKFORD,
    NEXT_ACTION_TYPE,
    BankTransferConnector,
    payment_reference,
    reference_normalize,
)
from lipwa.connectors.bank_transfer.credentials import credentials_validate, demo_credentials
from lipwa.connectors.errors import ConnectorInputError, WebhookParseError
from lipwa.connectors.types import (
    AccountContext,
    ChargeRequest,
    FailureCode,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookVerification,
)


def _connector(**overrides) -> BankTransferConnector:
    credentials = demo_credentials() | overrides
    return BankTransferConnector(AccountContext(account_id="ca_1", connector="bank_transfer", mode="test",
                                                credentials=credentials, callback_url=""))


def _request(amount_minor=150000, currency="KES", attempt_id="att_1", **kwargs) -> ChargeRequest:
    return ChargeRequest(attempt_id=attempt_id, payment_id="pay_1", amount=Money(amount_minor, currency),
                         method="bank_transfer", **kwargs)


def test_charge_returns_instructions_and_stays_requires_action():
    expires_at = datetime(2030, 1, 8, tzinfo=UTC)
    result = _connector().charge(_request(expires_at=expires_at))
    assert result.status is ResultStatus.REQUIRES_ACTION
    assert result.gateway_reference == payment_reference("att_1")
    assert dict(result.next_action) == {
        "type": NEXT_ACTION_TYPE, "bank_name": "Demo Bank Kenya", "account_name": "Demo Merchant Ltd",
        "account_number": "0100012345678", "branch": "Westlands", "swift": "DEMOKENA",
        "reference": result.gateway_reference, "amount": 150000, "amount_major": "1500.00", "currency": "KES",
        "expires_at": int(expires_at.timestamp())}


def test_optional_bank_details_are_left_out_when_not_configured():
    action = _connector(branch="", swift="").charge(_request()).next_action
    assert "branch" not in action and "swift" not in action


def test_reference_is_deterministic_short_and_unambiguous():
    references = {payment_reference(f"att_{i}") for i in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert reference.startswith("LPW-") and len(reference) == 12
        assert set(reference[4:]) <= set(CROCKFORD) and not set(reference[4:]) & set("ILOU")
    assert payment_reference("att_1") == payment_reference("att_1")


def test_reference_typed_sloppily_normalises_to_the_original():
    reference = payment_reference("att_42")
    sloppy = "lpw " + reference[4:].lower().replace("0", "o").replace("1", "l")
    assert reference_normalize(sloppy) == reference


def test_currencies_not_configured_on_the_account_are_refused():
    connector = _connector(currencies="KES,USD")
    connector.validate_charge(_request(currency="USD"))
    with pytest.raises(ConnectorInputError) as refused:
        connector.validate_charge(_request(currency="TZS"))
    assert refused.value.code == "currency_not_supported" and refused.value.param == "currency"


def test_connector_lists_every_currency_lipwa_supports():
    from lipwa.common.money import CURRENCY_EXPONENTS

    assert BankTransferConnector.currencies == frozenset(CURRENCY_EXPONENTS)


def test_misconfigured_account_fails_the_charge_as_configuration_error():
    result = _connector(account_number="").charge(_request())
    assert result.status is ResultStatus.FAILED and result.failure_code is FailureCode.CONFIGURATION_ERROR
    with pytest.raises(ConnectorInputError):
        _connector(account_number="").validate_charge(_request())


def test_sync_has_nobody_to_ask_and_keeps_waiting():
    result = _connector().charge_sync(SyncRequest(attempt_id="att_1", gateway_reference="LPW-ABCDEFGH",
                                                  amount=Money(100, "KES")))
    assert result.status is ResultStatus.REQUIRES_ACTION and result.gateway_reference == "LPW-ABCDEFGH"


def test_expiry_defaults_to_seven_days_and_follows_the_account():
    assert BankTransferConnector.default_expires_in_seconds == 7 * 86400
    assert BankTransferConnector.expires_in_seconds(demo_credentials()) == 7 * 86400
    assert BankTransferConnector.expires_in_seconds(demo_credentials() | {"expiry_days": "30"}) == 30 * 86400
    # An unusable value never picks a surprising window; the charge reports the misconfiguration.
    assert BankTransferConnector.expires_in_seconds(demo_credentials() | {"expiry_days": "0"}) == 7 * 86400


@pytest.mark.parametrize("days", ["0", "91", "-1", "7.5", "seven", "٣"])
def test_expiry_days_out_of_range_are_refused(days):
    assert "expiry_days" in credentials_validate(demo_credentials() | {"expiry_days": days})


@pytest.mark.parametrize(("field", "value"), [("currencies", "KES,XXX"), ("currencies", " , "),
                                              ("swift", "EQB"), ("account_number", "!!"), ("bank_name", "")])
def test_bad_credentials_are_explained(field, value):
    assert field in credentials_validate(demo_credentials() | {field: value})


def test_demo_credentials_are_valid_and_offline():
    assert credentials_validate(demo_credentials()) == {}
    assert BankTransferConnector.environment_of(demo_credentials()) == "offline"
    assert BankTransferConnector.simulator_credentials("http://127.0.0.1:8000/simulators/bank_transfer") == \
        demo_credentials()


def test_callbacks_are_refused():
    connector, inbound = _connector(), InboundRequest(headers={}, body=b"{}")
    assert connector.webhook_verify(inbound) is WebhookVerification.REJECTED
    with pytest.raises(WebhookParseError):
        connector.webhook_parse(inbound)
    assert connector.webhook_ack(False).status_code == 404
