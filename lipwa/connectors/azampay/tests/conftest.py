"""Fixtures of the AzamPay connector tests; none of them needs the database."""

from __future__ import annotations

import pytest

from lipwa.common import clock
from lipwa.connectors.azampay.client import clear_token_cache

from .stub import AzamPayStub


@pytest.fixture(autouse=True)
def _fresh_tokens_and_clock():
    """Tokens are cached process-wide and the clock is shared; no test may see another's."""
    clear_token_cache()
    clock.reset()
    yield
    clear_token_cache()
    clock.reset()


@pytest.fixture
def azampay():
    stub = AzamPayStub().start()
    yield stub
    stub.stop()
