"""The shared contract battery, run for FeexPay against its simulator over loopback.

Payers are Beninese MTN numbers (ten-digit plan, prefix 0197, PROVIDERS.md 5.7) in international form: XOF is
shared by several countries, so a local number (01 97 …) could not be placed. The battery's amount is XOF 1,000
(XOF has no minor unit: amount 1000).
"""

import pytest

from lipwa.common.networks import detect_networks
from lipwa.common.phones import parse_phone
from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestFeexpayContract(ConnectorContract):
    connector = "feexpay"
    currency = "XOF"
    amount_minor = 1000  # XOF 1,000

    def phone(self, scenario: str) -> str:
        return f"+2290197100{scenario}"

    @pytest.mark.parametrize("scenario", ["000", "001", "002", "003", "004", "005", "006", "007", "008", "009"])
    def test_the_battery_pays_from_valid_beninese_mtn_numbers(self, scenario):
        phone = parse_phone(self.phone(scenario))  # raises unless phonenumbers finds it valid
        assert (phone.country, detect_networks(phone)) == ("BJ", ("mtn",))
        assert phone.msisdn.endswith(scenario)
