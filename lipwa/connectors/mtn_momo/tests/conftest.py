"""Fixtures of the MTN MoMo connector tests."""

from __future__ import annotations

import pytest

from lipwa.common import clock
from lipwa.connectors.mtn_momo.client import clear_token_cache

from .stub import MomoStub


@pytest.fixture(autouse=True)
def _fresh_tokens_and_clock():
    """Tokens are cached process-wide and the clock is shared; no test may see another's."""
    clear_token_cache()
    clock.reset()
    yield
    clear_token_cache()
    clock.reset()


@pytest.fixture
def momo():
    stub = MomoStub().start()
    yield stub
    stub.stop()
