"""The shared contract battery, run for Airtel Money against its simulator over loopback, in Uganda (UGX)."""

import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestAirtelContract(ConnectorContract):
    connector = "airtel"
    currency = "UGX"
    amount_minor = 1000  # UGX 1,000: UGX has no minor unit

    def phone(self, scenario: str) -> str:
        # An Airtel Uganda number (prefix 75); the last three digits choose the simulator's scenario.
        return f"+256752123{scenario}"
