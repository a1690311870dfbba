"""The shared contract battery, run for AzamPay against its simulator over loopback."""

import phonenumbers
import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestAzamPayContract(ConnectorContract):
    connector = "azampay"
    currency = "TZS"
    amount_minor = 100_000  # TZS 1,000 (TZS has two minor digits in ISO 4217)

    def phone(self, scenario: str) -> str:
        # A Vodacom (M-Pesa TZ) number: 075 is Vodacom in PROVIDERS.md 4.9, so the provider is inferred.
        return f"+255754123{scenario}"


@pytest.mark.parametrize("scenario", ["000", "001", "002", "003", "004", "005", "006", "007", "008", "009"])
def test_the_battery_numbers_are_valid_tanzanian_mobiles(scenario):
    number = phonenumbers.parse(TestAzamPayContract().phone(scenario))
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
