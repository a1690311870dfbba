from __future__ import annotations

import pytest


@pytest.fixture
def cash_account(merchant):
    from lipwa.merchants.services import connector_account_create

    return connector_account_create(merchant=merchant, connector="cash", mode="test", credentials={})


@pytest.fixture
def rider(merchant):
    from lipwa.cash.services import rider_create

    return rider_create(merchant=merchant, mode="test", name="Amina", phone="+254712345678", by="tests")


@pytest.fixture
def cash_payment(merchant, cash_account):
    """Factory: a confirmed cash payment awaiting collection."""
    from lipwa.payments.services import payment_create

    def make(amount: int = 150_000, currency: str = "KES", metadata: dict | None = None):
        return payment_create(merchant=merchant, mode="test", amount=amount, currency=currency, method="cash",
                              metadata=metadata)

    return make
