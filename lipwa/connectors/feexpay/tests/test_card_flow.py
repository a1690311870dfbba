"""Cards end to end through the core: payment → hosted page link (requires_action) → the customer pays on the
simulator's page → signed webhook → /hooks/ → task queue → succeeded. The contract battery covers mobile money.

The battery's helpers drive the core (payment_create, the inbound webhook records, the janitor), so this module
needs no import of the core itself.
"""

from __future__ import annotations

import httpx
import pytest

from lipwa.connectors.testing.contract import ConnectorContract

pytestmark = pytest.mark.django_db(transaction=True)


class CardPayments(ConnectorContract):
    """The battery's helpers for card payments (not collected: its name does not start with Test)."""

    connector = "feexpay"
    method = "card"

    def __init__(self, currency: str = "EUR", amount_minor: int = 2500) -> None:
        self.currency, self.amount_minor = currency, amount_minor

    def phone(self, scenario: str) -> None:
        return None  # a card payer has no phone to ring


def pay_by_card(simulator_account, run_tasks, form: dict, cards: CardPayments | None = None):
    cards = cards or CardPayments()
    account = simulator_account("feexpay")
    payment = cards.create(account, "card")
    assert payment.status == "requires_action"
    assert payment.next_action["type"] == "redirect" and payment.gateway_reference
    with httpx.Client(timeout=10) as browser:
        assert browser.get(payment.next_action["url"]).status_code == 200
        answer = browser.post(payment.next_action["url"], data=form)
    assert answer.status_code == 200  # no return_url: the page itself says how it ended
    cards.wait_for_callbacks(account, 1)
    return cards, account, cards.settle(payment.id, run_tasks)


def test_a_card_payment_succeeds(simulator_account, run_tasks):
    cards, account, payment = pay_by_card(simulator_account, run_tasks, {"card_number": "4242424242424242"})
    assert payment.status == "succeeded", payment.failure_message
    assert [w.status for w in cards.callbacks_for(account)] == ["processed"]
    assert cards.events_of(payment.id).count("payment.succeeded") == 1
    assert payment.attempts.get().connector_state["reference"].startswith("FXP-")  # kept for status queries


def test_a_card_payment_in_xof(simulator_account, run_tasks):
    _, _, payment = pay_by_card(simulator_account, run_tasks, {"card_number": "4111111111111111"},
                                CardPayments("XOF", 5000))
    assert payment.status == "succeeded"


@pytest.mark.parametrize("form, failure_code", [
    ({"card_number": "4000000000000002"}, "provider_declined"),
    ({"card_number": "4000000000009995"}, "insufficient_funds"),
    ({"action": "cancel"}, "customer_cancelled"),
])
def test_a_card_decline_fails_the_payment(simulator_account, run_tasks, form, failure_code):
    _, _, payment = pay_by_card(simulator_account, run_tasks, form)
    assert (payment.status, payment.failure_code) == ("failed", failure_code)


def test_an_unpaid_card_link_keeps_its_redirect_while_the_janitor_asks(simulator_account, run_tasks):
    cards = CardPayments()
    account = simulator_account("feexpay")
    payment = cards.create(account, "card")
    url = payment.next_action["url"]
    payment = cards.settle(payment.id, run_tasks, rounds=3)  # three janitor rounds, nobody on the page
    assert (payment.status, payment.next_action) == ("requires_action", {"type": "redirect", "url": url})
