"""Fixtures of the Paystack connector tests; only the live-server tests need the database."""

from __future__ import annotations

import pytest

from lipwa.common import clock

from .stub import PaystackStub


@pytest.fixture(autouse=True)
def _fresh_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def paystack():
    stub = PaystackStub().start()
    yield stub
    stub.stop()
