"""Fixtures of the Paynow connector tests; none of them needs the database."""

from __future__ import annotations

import pytest

from lipwa.common import clock

from .stub import PaynowStub


@pytest.fixture(autouse=True)
def _fresh_clock():
    """The clock is shared process-wide; no test may see another's."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def paynow():
    stub = PaynowStub().start()
    yield stub
    stub.stop()
