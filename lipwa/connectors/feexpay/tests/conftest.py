"""Fixtures of the FeexPay connector tests; none of them needs the database."""

from __future__ import annotations

import pytest

from lipwa.common import clock

from .stub import FeexpayStub


@pytest.fixture(autouse=True)
def _fresh_clock():
    """The clock is shared process-wide; no test may see another's."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def feexpay():
    stub = FeexpayStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """A recorder to pass as `sleep`: the backoff delays a call asked for, without waiting."""
    return []
