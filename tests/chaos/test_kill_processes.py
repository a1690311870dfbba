"""`kill -9` of the worker and of a web process in the middle of load, on PostgreSQL with the real processes
(gunicorn, db_worker, the scheduler): afterwards nothing is stuck or lost, and no job ran twice with a double effect.

The simulator runs in a process of its own: its records are in memory, and the gateway does not die with lipwa.
`make test` sends 120 payments; `make chaos` sends CHAOS_KILL_PAYMENTS (500).
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

import pytest

from .api_load import ApiLoad, WebhookReceiver
from .plan import GATEWAYS, PlannedPayment
from .processes import (
    Process,
    base_env,
    children_of,
    db_worker,
    free_port,
    gunicorn,
    own_database,
    run_python,
    scheduler,
    wait_until_up,
)
from .report import report, scale

pytestmark = [pytest.mark.chaos, pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: several processes claim jobs with SELECT … FOR UPDATE SKIP LOCKED")]

API_KEY = "sk_test_chaos_kill_processes_0001"
# Ordinary traffic: mostly successes, declines, a callback never sent, triple callbacks, a callback before the
# response. (The random gateway faults are the other test's subject.)
KILL_SCENARIOS = {"000": 50, "001": 10, "002": 5, "004": 15, "005": 10, "008": 10}
# One db_worker drains everything after the kill (no second worker takes up the slack), at a few dozen jobs a
# second on a busy 2-core machine: the wait for it to settle grows with the load.
SETTLE_BASE_SECONDS = 120
SETTLE_SECONDS_PER_PAYMENT = 0.5


def _plan(count: int, seed: int) -> list[PlannedPayment]:
    rng = random.Random(seed)
    currency, prefix, low, high = GATEWAYS["mpesa"]
    planned = []
    for index in range(count):
        scenario = rng.choices(list(KILL_SCENARIOS), weights=list(KILL_SCENARIOS.values()))[0]
        amount = rng.randint(low, high) // 100 * 100
        planned.append(PlannedPayment(index, "mpesa", scenario, f"{prefix}{rng.randint(0, 999):03d}{scenario}",
                                      amount, currency))
    return planned


SETUP = """
from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import api_key_create, connector_account_create, merchant_create
from lipwa.webhooks_out.services import webhook_endpoint_create
merchant = merchant_create(name="Chaos merchant")
api_key_create(merchant=merchant, mode="test", name="chaos", raw_key={key!r})
connector_account_create(merchant=merchant, connector="mpesa", mode="test", timeout_seconds=10,
                         credentials=connector_class("mpesa").simulator_credentials({sim!r}))
webhook_endpoint_create(merchant=merchant, mode="test", url={hook!r}, enabled_events=["*"])
print(json.dumps({{"merchant": merchant.id}}))
"""


def test_kill_9_of_worker_and_web_process_mid_load_loses_nothing(tmp_path):
    count = scale("CHAOS_KILL_PAYMENTS", 120)
    seed = scale("CHAOS_SEED", 20261125)
    planned = _plan(count, seed)
    web_port, sim_port = free_port(), free_port()
    web_url, sim_url = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sim_port}"
    receiver = WebhookReceiver()
    processes: list[Process] = []
    with own_database(os.environ["DATABASE_URL"], "lipwa_chaos_kill") as database_url:
        # A retry takes over a key whose request died with its process once it has been in flight this long; the
        # requests here take well under a second, so a short window keeps the test fast.
        # Likewise a stored callback whose job died with the worker is queued again after a few seconds.
        env = base_env(database_url, tmp_path, web_url, LIPWA_IDEMPOTENCY_STALE_SECONDS="8",
                       LIPWA_CALLBACK_REPROCESS_SECONDS="5")
        try:
            run_python(env, "from django.core.management import call_command\n"
                            "call_command('migrate', verbosity=0)\nprint(json.dumps({}))")
            run_python(env, SETUP.format(key=API_KEY, sim=f"{sim_url}/simulators/mpesa", hook=receiver.url))
            simulator = Process("simulator", gunicorn(sim_port, workers=1, threads=16),
                                {**env, "LIPWA_SIMULATOR_ONLY": "mpesa"}, tmp_path)
            web = Process("web", gunicorn(web_port, workers=2, threads=4), env, tmp_path)
            worker = Process("worker-1", db_worker("chaos-worker-1"), env, tmp_path)
            processes += [simulator, web, worker, Process("scheduler", scheduler(), env, tmp_path)]
            wait_until_up(f"{sim_url}/simulators/mpesa/", simulator)
            wait_until_up(f"{web_url}/healthz", web)

            load = ApiLoad(web_url, API_KEY)
            sender = threading.Thread(target=load.run, args=(planned, 6), daemon=True)
            started = time.monotonic()
            sender.start()
            _wait(lambda: load.count() >= count // 3, "a third of the load")
            worker.kill9()
            killed_at = [load.count()]
            _kill_a_web_worker(web.pid)
            _wait(lambda: load.count() >= count // 2, "half of the load")
            processes.append(Process("worker-2", db_worker("chaos-worker-2"), env, tmp_path))
            # A web worker that happens to be between requests loses none: kill one twice more, later, to make
            # it likely that some POSTs die mid-flight (the figures say how many did).
            for fraction in (0.5, 0.67):
                _wait(lambda f=fraction: load.count() >= int(count * f), f"{fraction:.0%} of the load")
                killed_at.append(load.count())
                _kill_a_web_worker(web.pid)
            sender.join(timeout=300)
            load_seconds = time.monotonic() - started

            plan_path = tmp_path / "plan.json"
            plan_path.write_text(json.dumps({pid: _fields(p) for pid, p in load.created.items()}))
            settle_seconds = SETTLE_BASE_SECONDS + SETTLE_SECONDS_PER_PAYMENT * count
            progress = _settle(env, plan_path, settle_seconds)
            result = run_python(env, "from tests.chaos.process_checks import verify\n"
                                     f"print(json.dumps(verify({str(plan_path)!r}, 'chaos-worker-1')))")
        finally:
            for process in processes:
                process.stop()
            receiver.stop()
    logs = "".join(process.output() for process in processes)
    problems = list(load.failures) + result["problems"]
    if progress:
        problems.append(f"not settled after {settle_seconds:.0f} s: {progress}")
    never_received = [e for e in result["event_ids"] if e not in receiver.received]
    problems += [f"event {e} never reached the merchant's endpoint" for e in never_received[:10]]
    resent = sum(n - 1 for n in receiver.received.values() if n > 1)
    report("kill-9", {
        "payments": count, "seed": seed, "kill -9 at (payments sent)": killed_at,
        "killed": "db_worker at the first point (restarted), a gunicorn worker at each (respawned by its master)",
        "client retries": dict(load.retries), "load wall time (s)": round(load_seconds, 1),
        "retried requests that recovered the payment of a dead request": logs.count("recovered for a retried"),
        "sweeps that queued unprocessed callbacks again": logs.count("stored callback(s) again"),
        **result["figures"], "events received by the merchant endpoint": len(receiver.received),
        "events received more than once (at-least-once)": resent,
    }, problems)
    assert not problems, "\n".join(problems[:30])


def _kill_a_web_worker(master_pid: int) -> None:
    """SIGKILL one of the processes gunicorn's master has forked (it forks a new one)."""
    deadline = time.monotonic() + 30
    while not (children := children_of(master_pid)):  # a worker forked after the last kill may still be booting
        if time.monotonic() > deadline:
            raise AssertionError("gunicorn has no worker to kill")
        time.sleep(0.1)
    os.kill(children[0], signal.SIGKILL)


def _fields(planned: PlannedPayment) -> dict:
    return {name: getattr(planned, name) for name in PlannedPayment.__slots__}


def _wait(predicate, what: str, timeout_seconds: float = 120) -> None:
    deadline = time.monotonic() + timeout_seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _settle(env: dict, plan_path, settle_seconds: float) -> dict:
    """Poll until every payment is final, every callback processed, every job run and every merchant webhook
    delivered; returns what was still open if that did not happen in time."""
    deadline = time.monotonic() + settle_seconds
    while True:
        progress = run_python(env, "from tests.chaos.process_checks import settled\n"
                                   f"print(json.dumps(settled({str(plan_path)!r})))")
        if not any(progress.values()):
            return {}
        if time.monotonic() > deadline:
            return progress
        time.sleep(2)
