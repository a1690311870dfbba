"""The shared contract battery, run for Paystack (M-Pesa Kenya through the Charge API) against its simulator."""

import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestPaystackContract(ConnectorContract):
    connector = "paystack"
    currency = "KES"
    amount_minor = 10000  # KES 100
    method = "mobile_money"

    def phone(self, scenario: str) -> str:
        return f"+254712345{scenario}"

    @pytest.mark.parametrize("scenario, failure_code", [
        ("001", "insufficient_funds"),
        ("002", "customer_cancelled"),
        ("003", "customer_timeout"),
        ("009", "wrong_pin"),
    ])
    def test_decline_is_a_failed_payment_with_a_normalized_code(self, account, run_tasks, scenario, failure_code):
        """Paystack sends no webhook for a failed charge (PROVIDERS.md 6.7: "Only charge.success is sent for
        collections; failures/abandonment produce no webhook → poll verify"), so the battery's wait for a
        callback cannot apply: the decline is found by verify, and no callback may arrive."""
        payment = self.create(account, scenario)
        payment = self.settle(payment.id, run_tasks)
        assert (payment.status, payment.failure_code) == ("failed", failure_code)
        assert self.events_of(payment.id).count("payment.failed") == 1
        assert self.callbacks_for(account) == []
