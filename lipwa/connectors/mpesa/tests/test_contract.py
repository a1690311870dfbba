"""The shared contract battery, run for M-Pesa against the Daraja simulator over loopback."""

import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestMpesaContract(ConnectorContract):
    connector = "mpesa"
    currency = "KES"
    amount_minor = 10000  # KES 100

    def phone(self, scenario: str) -> str:
        return f"0712345{scenario}"
