"""Fixtures shared by the whole suite: merchants, keys, simulator-backed accounts, the task queue, the clock."""

from __future__ import annotations

import pytest

from lipwa.common import clock


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def merchant(db):
    from lipwa.merchants.services import merchant_create

    return merchant_create(name="Test merchant")


@pytest.fixture
def test_key(merchant) -> str:
    from lipwa.merchants.services import api_key_create

    _, raw = api_key_create(merchant=merchant, mode="test", name="tests")
    return raw


@pytest.fixture
def lipwa_server(live_server, settings):
    """The real app over loopback: API, /hooks/ and the simulators, with callbacks pointed back at it."""
    settings.LIPWA_PUBLIC_URL = live_server.url
    from lipwa.connectors.registry import connector_ids

    for connector in connector_ids():
        _reset_simulator(connector)
    yield live_server
    for connector in connector_ids():
        _reset_simulator(connector, settle=True)


def _reset_simulator(connector: str, settle: bool = False) -> None:
    """Forget a simulator's state. After a test, first let callbacks already on their way finish (briefly):
    a late one would otherwise land in the next test's database."""
    import importlib
    import time

    try:
        state = importlib.import_module(f"lipwa.connectors.{connector}.simulator.state")
    except ModuleNotFoundError:
        return
    deadline = time.monotonic() + 2.0
    while settle and getattr(state, "timers_pending", lambda: 0)() and time.monotonic() < deadline:
        time.sleep(0.02)
    state.reset()


@pytest.fixture
def simulator_account(lipwa_server, merchant):
    """Factory: a test-mode connector account of `merchant` pointed at the live simulator."""
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create

    def make(connector: str, *, timeout_seconds: float = 10.0):
        credentials = connector_class(connector).simulator_credentials(
            f"{lipwa_server.url}/simulators/{connector}")
        return connector_account_create(merchant=merchant, connector=connector, mode="test",
                                        credentials=credentials, timeout_seconds=timeout_seconds)

    return make


@pytest.fixture
def run_tasks():
    from lipwa.ops.worker import run_ready_tasks

    return run_ready_tasks
