"""Fixtures for the dashboard tests: staff users with roles, and payments settled without a gateway."""

from __future__ import annotations

import pytest

PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff(merchant):
    """Factory: a user with `role` at `merchant` (email derived from the role unless given)."""
    from lipwa.dashboard.services import staff_create

    def make(role: str, email: str | None = None, of=None):
        membership, _ = staff_create(merchant_id=(of or merchant).id, email=email or f"{role}@shop.example",
                                     role=role, password=PASSWORD)
        return membership.user

    return make


@pytest.fixture
def as_role(client, staff):
    """Factory: the Django test client logged in as a new user with `role`."""
    def login(role: str, email: str | None = None):
        client.force_login(staff(role, email))
        return client

    return login


@pytest.fixture
def cash_account(merchant):
    from lipwa.merchants.services import connector_account_create

    return connector_account_create(merchant=merchant, connector="cash", mode="test",
                                    credentials={"label": "shop till"})


@pytest.fixture
def paid(merchant, cash_account):
    """Factory: a succeeded cash payment (the collection applied as a gateway success would be)."""
    from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
    from lipwa.payments.results import attempt_apply_result
    from lipwa.payments.services import payment_create

    def make(amount: int = 150_000, phone: str = "0712345678", reference: str = "order-42",
             failure: str | None = None):
        payment = payment_create(merchant=merchant, mode="test", amount=amount, currency="KES", method="cash",
                                 phone=phone, merchant_reference=reference)
        attempt = payment.attempts.order_by("-created_at").first()
        result = (ChargeResult(ResultStatus.FAILED, failure_code=FailureCode(failure)) if failure else
                  ChargeResult(ResultStatus.SUCCEEDED, gateway_reference=attempt.gateway_reference,
                                receipt_number="RC1"))
        attempt_apply_result(attempt_id=attempt.id, source="operator", result=result)
        payment.refresh_from_db()
        return payment

    return make
