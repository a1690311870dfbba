"""The shared contract battery, run for Paynow against its simulator over loopback, in USD with EcoCash numbers.

Three expectations differ from the battery's defaults, because Paynow's status vocabulary carries no reason
(PROVIDERS.md 7.7): the overrides below say why, each citing PROVIDERS.md.
"""

import hashlib
from urllib.parse import urlencode

import httpx
import phonenumbers
import pytest

from lipwa.connectors.paynow.simulator import state
from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "application/x-www-form-urlencoded"


class TestPaynowContract(ConnectorContract):
    connector = "paynow"
    currency = "USD"
    amount_minor = 1000  # USD 10.00: "10.00" on the wire

    def phone(self, scenario: str) -> str:
        # An Econet number (077), so the express method is EcoCash; the last three digits choose the scenario.
        return f"+263771234{scenario}"

    @pytest.mark.parametrize("scenario, failure_code", [
        ("002", "customer_cancelled"),
    ])
    def test_decline_is_a_failed_payment_with_a_normalized_code(self, account, run_tasks, scenario, failure_code):
        """Only 002 keeps the battery's expectation; 001, 003 and 009 are the tests below."""
        super().test_decline_is_a_failed_payment_with_a_normalized_code(account, run_tasks, scenario, failure_code)

    def test_insufficient_funds_is_refused_at_initiation(self, account, run_tasks):
        """001: Paynow reports insufficient balance only by refusing the initiate request (PROVIDERS.md 7.8, test
        number 0774444444 "immediately fails … during initiation"); a `Failed` status never says why (7.7). So
        nothing is created and no status update follows."""
        payment = self.create(account, "001")
        assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")
        assert payment.gateway_reference in ("", None)
        assert self.callbacks_for(account) == []
        assert self.events_of(payment.id).count("payment.failed") == 1

    def test_a_prompt_never_answered_reads_as_cancelled(self, account, run_tasks):
        """003: Paynow's `Cancelled` means "cancelled by customer/merchant or expired" (PROVIDERS.md 7.7) and it has
        no timeout status, so an unanswered prompt cannot be told from a refused one: customer_cancelled."""
        payment = self.create(account, "003")
        self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert (payment.status, payment.failure_code) == ("failed", "customer_cancelled")
        assert self.events_of(payment.id).count("payment.failed") == 1

    def test_a_wrong_pin_is_a_generic_decline(self, account, run_tasks):
        """009: a wrong PIN reaches us as `Failed`, which Paynow also uses for insufficient balance and (in test
        mode) a cancelled prompt (PROVIDERS.md 7.7, 7.8): no reason, so provider_declined, not wrong_pin."""
        payment = self.create(account, "009")
        self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert (payment.status, payment.failure_code) == ("failed", "provider_declined")
        assert self.events_of(payment.id).count("payment.failed") == 1


    # -- beyond the battery: the flows only Paynow has, end to end through the core ---------------------------

    def test_status_updates_are_hash_verified_and_applied_as_they_stand(self, account, run_tasks):
        payment = self.create(account, "000")
        self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded"
        [webhook] = self.callbacks_for(account)
        assert webhook.status == "processed"
        assert "verified" in webhook.status_reason, "applied on its hash, not confirmed by a poll as a mere hint"

    def test_a_forged_status_update_is_rejected(self, account, run_tasks):
        payment = self.create(account, "004")  # no genuine update will arrive
        [transaction] = state.transactions_snapshot()
        body = _signed([("reference", transaction.reference), ("amount", "10.00"), ("paynowreference", "1"),
                        ("pollurl", "http://evil.example/"), ("status", "Paid")], key="guessed")
        response = httpx.post(transaction.result_url, content=body, headers={"Content-Type": FORM})
        assert response.status_code == 200, "Paynow gets its ack; the update is judged in the worker"
        run_tasks()
        [webhook] = self.callbacks_for(account)
        assert (webhook.status, webhook.status_reason) == ("rejected", "signature verification failed")
        assert self.settle(payment.id, run_tasks).status == "succeeded", "the poll still tells the truth"

    def test_card_payments_redirect_to_paynows_page(self, account, run_tasks, lipwa_server, test_key):
        payment = _api_create(lipwa_server, test_key, method="card", return_url="https://shop.example/return")
        assert payment["status"] == "requires_action"
        assert payment["next_action"]["type"] == "redirect"
        page = httpx.post(payment["next_action"]["url"], data={"action": "paid"})
        assert (page.status_code, page.headers["location"]) == (302, "https://shop.example/return")
        self.wait_for_callbacks(account, 1)
        settled = self.settle(payment["id"], run_tasks)
        assert settled.status == "succeeded"
        assert settled.receipt_number  # Paynow's reference

    def test_a_non_final_update_keeps_the_customers_next_action(self, account, run_tasks, lipwa_server, test_key):
        """A `Sent` update (PROVIDERS.md 7.5: one is sent on every change) is confirmed by polling, so the
        redirect stays on the payment while the customer is still at Paynow."""
        payment = _api_create(lipwa_server, test_key, method="card", return_url="https://shop.example/return")
        [transaction] = state.transactions_snapshot()
        body = _signed([("reference", transaction.reference), ("amount", "10.00"),
                        ("paynowreference", transaction.paynow_reference), ("pollurl", transaction.poll_url),
                        ("status", "Sent")])
        httpx.post(transaction.result_url, content=body, headers={"Content-Type": FORM})
        run_tasks()
        current = _api_get(lipwa_server, test_key, payment["id"])
        assert (current["status"], current["next_action"]) == ("requires_action", payment["next_action"])
        [webhook] = self.callbacks_for(account)
        assert webhook.status not in ("rejected", "unmatched"), webhook.status_reason

    def test_innbucks_shows_the_code_then_succeeds(self, account, run_tasks, lipwa_server, test_key):
        payment = _api_create(lipwa_server, test_key, method="mobile_money", phone=self.phone("000"),
                              network="innbucks")
        assert payment["status"] == "requires_action"
        assert payment["next_action"]["type"] == "display_code" and len(payment["next_action"]["code"]) == 9
        assert payment["next_action"]["expires_at"]
        self.wait_for_callbacks(account, 1)
        assert self.settle(payment["id"], run_tasks).status == "succeeded"


# The core is reached over its public API here, never imported: this package may see only connectors.types.
def _api_create(server, key: str, **fields) -> dict:
    body = {"amount": TestPaynowContract.amount_minor, "currency": "USD", "provider": "paynow"} | fields
    response = httpx.post(f"{server.url}/v1/payments", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201, response.text
    return response.json()


def _api_get(server, key: str, payment_id: str) -> dict:
    response = httpx.get(f"{server.url}/v1/payments/{payment_id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()


def _signed(pairs: list[tuple[str, str]], key: str = "sim_secret") -> bytes:
    """A status update signed as PROVIDERS.md 7.4 says, written here from the spec rather than imported."""
    digest = hashlib.sha512(("".join(value for _, value in pairs) + key).encode()).hexdigest().upper()
    return urlencode([*pairs, ("hash", digest)]).encode()


@pytest.mark.parametrize("scenario", ["000", "001", "002", "003", "004", "005", "006", "007", "008", "009"])
def test_the_battery_numbers_are_valid_zimbabwean_mobiles(scenario):
    number = phonenumbers.parse(TestPaynowContract().phone(scenario))
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
