"""The contract battery: every connector passes it against its own simulator, over loopback, end to end.

A connector's tests subclass `ConnectorContract`, name the connector and give a phone number whose last
three digits select a simulator scenario (DESIGN.md §6). Each test drives the real core: payment_create →
connector → simulator → callback over HTTP → /hooks/ → task queue → attempt_apply_result.
"""

from __future__ import annotations

import time

import pytest

from lipwa.common import clock

WAIT_SECONDS = 15.0


def wait_for(predicate, what: str, timeout: float = WAIT_SECONDS):
    """Wait for something another thread does (a simulator's callback); never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class ConnectorContract:
    connector: str = ""
    currency: str = ""
    amount_minor: int = 0
    method: str = "mobile_money"
    # Whether the gateway sends a callback for each final outcome (False for poll-only gateways).
    sends_callbacks: bool = True

    def phone(self, scenario: str) -> str:
        """A payer phone number ending in `scenario` ("000" for plain success)."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------------------

    @pytest.fixture
    def account(self, simulator_account):
        return simulator_account(self.connector)

    def create(self, account, scenario: str):
        from lipwa.payments.services import payment_create

        return payment_create(merchant=account.merchant, mode="test", amount=self.amount_minor,
                              currency=self.currency, method=self.method, provider=self.connector,
                              phone=self.phone(scenario), merchant_reference=f"contract-{scenario}")

    def callbacks_for(self, account):
        from lipwa.webhooks_in.models import InboundWebhook

        return list(InboundWebhook.objects.filter(connector_account=account).order_by("received_at"))

    def wait_for_callbacks(self, account, count: int):
        return wait_for(lambda: len(self.callbacks_for(account)) >= count, f"{count} callback(s)")

    def settle(self, payment_id: str, run_tasks, rounds: int = 8):
        """Process queued work; while not final, move the clock past the next re-query and run the janitor."""
        from lipwa.payments.models import PaymentIntent
        from lipwa.payments.tasks import attempts_sync_due

        payment = PaymentIntent.objects.get(id=payment_id)
        for _ in range(rounds):
            run_tasks()
            payment.refresh_from_db()
            if payment.status in ("succeeded", "failed", "cancelled", "expired"):
                return payment
            clock.advance(61)
            attempts_sync_due.call()
        payment.refresh_from_db()
        return payment

    def events_of(self, payment_id: str) -> list[str]:
        from lipwa.payments.models import PaymentEvent

        return list(PaymentEvent.objects.filter(payment_id=payment_id).order_by("id").values_list("type", flat=True))

    # -- the battery -----------------------------------------------------------------------------------

    def test_credentials_probe_accepts_the_simulator_credentials(self, account):
        """"Test connection": the simulator accepts its own credentials through `credentials_probe`, or the
        connector says its gateway offers no side-effect-free check; either way nothing reaches the account."""
        from lipwa.connectors.base import NO_CREDENTIALS_PROBE
        from lipwa.connectors.errors import NotSupported
        from lipwa.connectors.registry import connector_class
        from lipwa.merchants.services import account_context

        connector = connector_class(self.connector)(account_context(account))
        try:
            result = connector.credentials_probe()
        except NotSupported as exc:
            assert str(exc) == NO_CREDENTIALS_PROBE
        else:
            assert result.passed, result.message
        assert self.callbacks_for(account) == []

    def test_charge_succeeds(self, account, run_tasks):
        payment = self.create(account, "000")
        assert payment.status in ("processing", "requires_action", "succeeded")
        if self.sends_callbacks:
            self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded", payment.failure_message
        assert payment.gateway_reference
        assert self.events_of(payment.id).count("payment.succeeded") == 1
        from lipwa.ledger.selectors import balance_get, ledger_verify

        assert ledger_verify() == []
        balances = balance_get(merchant=account.merchant, mode="test")["balances"]
        assert [(b["currency"], b["available"]) for b in balances] == [
            (self.currency, self.amount_minor - payment.fee_minor)]

    @pytest.mark.parametrize("scenario, failure_code", [
        ("001", "insufficient_funds"),
        ("002", "customer_cancelled"),
        ("003", "customer_timeout"),
        ("009", "wrong_pin"),
    ])
    def test_decline_is_a_failed_payment_with_a_normalized_code(self, account, run_tasks, scenario, failure_code):
        payment = self.create(account, scenario)
        if self.sends_callbacks:
            self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert (payment.status, payment.failure_code) == ("failed", failure_code)
        assert self.events_of(payment.id).count("payment.failed") == 1

    def test_timeout_on_initiate_is_unknown_then_resolved(self, lipwa_server, simulator_account, run_tasks,
                                                          settings):
        settings.LIPWA_SIMULATOR_HANG_SECONDS = 1.5
        account = simulator_account(self.connector, timeout_seconds=0.5)
        payment = self.create(account, "007")
        assert payment.status == "processing", "a timeout must never fail a payment"
        attempt = payment.attempts.get()
        assert attempt.outcome_unknown
        if self.sends_callbacks:
            self.wait_for_callbacks(account, 1)
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded"
        assert self.events_of(payment.id).count("payment.succeeded") == 1

    def test_callback_never_sent_is_resolved_by_status_query(self, account, run_tasks):
        payment = self.create(account, "004")
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded"
        assert self.callbacks_for(account) == []

    def test_duplicate_callbacks_change_nothing(self, account, run_tasks):
        payment = self.create(account, "005")
        self.wait_for_callbacks(account, 3 if self.sends_callbacks else 0)
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded"
        statuses = sorted(w.status for w in self.callbacks_for(account))
        if self.sends_callbacks:
            assert statuses == ["duplicate", "duplicate", "processed"]
        assert self.events_of(payment.id).count("payment.succeeded") == 1

    def test_callback_before_initiate_response(self, account, run_tasks):
        payment = self.create(account, "008")
        if self.sends_callbacks:
            assert len(self.callbacks_for(account)) == 1, "the callback was stored before the response"
        payment = self.settle(payment.id, run_tasks)
        assert payment.status == "succeeded"
        assert [w.status for w in self.callbacks_for(account)] == (["processed"] if self.sends_callbacks else [])

    def test_server_error_on_initiate_creates_nothing(self, account, run_tasks):
        payment = self.create(account, "006")
        payment = self.settle(payment.id, run_tasks)
        assert (payment.status, payment.failure_code) == ("failed", "provider_unavailable")
        assert self.callbacks_for(account) == []
