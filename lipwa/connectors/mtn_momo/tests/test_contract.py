"""The shared contract battery, run for MTN MoMo against its simulator over loopback.

The simulator account uses the `mtnuganda` target environment (`simulator_credentials`), so the battery charges
UGX (no minor unit: 1000 is UGX 1,000) to Ugandan MTN numbers, as production would. The sandbox (EUR only) is
covered by `test_simulator_live.py`.
"""

import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class TestMtnMomoContract(ConnectorContract):
    connector = "mtn_momo"
    currency = "UGX"
    amount_minor = 1000  # UGX 1,000

    def phone(self, scenario: str) -> str:
        return f"+256772123{scenario}"

    @pytest.mark.parametrize("scenario, failure_code", [
        ("001", "insufficient_funds"),
        ("002", "customer_cancelled"),
        ("003", "customer_timeout"),
        ("009", "provider_declined"),
    ])
    def test_decline_is_a_failed_payment_with_a_normalized_code(self, account, run_tasks, scenario, failure_code):
        """MTN has no wrong-PIN reason (PROVIDERS.md 2.7), so the simulator's 009 is MTN's generic decline,
        FAILED / INTERNAL_PROCESSING_ERROR (the sandbox's "payer failed", 2.8), which is `provider_declined`."""
        super().test_decline_is_a_failed_payment_with_a_normalized_code(account, run_tasks, scenario, failure_code)
