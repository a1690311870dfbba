from __future__ import annotations

import pytest


@pytest.fixture
def bank_transfer(merchant):
    """Factory: a bank-transfer payment waiting (requires_action) for the customer's transfer."""
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create
    from lipwa.payments.services import payment_create

    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test",
                             credentials=connector_class("bank_transfer").simulator_credentials(""))

    def make(amount: int = 2_500_000, currency: str = "KES"):
        return payment_create(merchant=merchant, mode="test", amount=amount, currency=currency,
                              method="bank_transfer")

    return make


def equity_csv(*rows: tuple[str, str, str, str]) -> bytes:
    """An Equity-preset CSV from (date, narrative, reference, money in)."""
    lines = ["Transaction Date,Value Date,Narrative,Reference,Money In,Money Out,Balance"]
    lines += [f'{day},{day},{narrative},{reference},"{amount}",,' for day, narrative, reference, amount in rows]
    return ("\n".join(lines) + "\n").encode()
