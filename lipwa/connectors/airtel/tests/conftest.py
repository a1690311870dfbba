"""Fixtures of the Airtel connector tests."""

from __future__ import annotations

import pytest

from lipwa.common import clock
from lipwa.connectors.airtel.client import clear_caches

from .stub import AirtelStub


@pytest.fixture(autouse=True)
def _fresh_caches_and_clock():
    """Tokens and keys are cached process-wide and the clock is shared; no test may see another's."""
    clear_caches()
    clock.reset()
    yield
    clear_caches()
    clock.reset()


@pytest.fixture
def airtel():
    stub = AirtelStub().start()
    yield stub
    stub.stop()
