"""Payments whose callbacks are duplicated, reordered, delayed and dropped, across the simulators' fault scenarios
(5xx, hang past the timeout, no callback, callback before the response, declines): every payment must end as the
simulator says, each success credited exactly once, the ledger balanced, nothing stuck.

`make test` runs 200 payments; `make chaos` runs 10,000 (CHAOS_PAYMENTS) in two shards.
"""

from __future__ import annotations

import pytest

from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create

from .invariants import check_payments, check_queue_and_callbacks, check_simulator_truth, gateway_charges
from .load import drive
from .mangler import CallbackMangler
from .plan import plan_payments
from .report import report, scale

pytestmark = pytest.mark.chaos

# Short enough to keep the run fast, long enough that a loaded machine rarely times out an ordinary call (which
# would only add more unknown outcomes, and those are healed the same way).
TIMEOUT_SECONDS = 1.5
HANG_SECONDS = 2.0


@pytest.fixture
def mangler(lipwa_server, settings):
    seed = scale("CHAOS_SEED", 20261125)
    proxy = CallbackMangler(target_url=lipwa_server.url, seed=seed).start()
    # Callback URLs are built from LIPWA_PUBLIC_URL: the simulators now post to the mangler.
    settings.LIPWA_PUBLIC_URL = proxy.url
    settings.LIPWA_SIMULATOR_HANG_SECONDS = HANG_SECONDS
    yield proxy
    proxy.stop()


# `make chaos` splits the run into shards, one per pytest-xdist process, so that both cores work.
SHARDS = scale("CHAOS_SHARDS", 1)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_payment_ends_as_the_gateway_says_whatever_happens_to_its_callbacks(lipwa_server, merchant, mangler,
                                                                                  shard):
    from django.db import connection

    count = scale("CHAOS_PAYMENTS", 200) // SHARDS
    accounts = {}
    for connector in ("mpesa", "mtn_momo", "airtel"):
        credentials = connector_class(connector).simulator_credentials(f"{lipwa_server.url}/simulators/{connector}")
        accounts[connector] = connector_account_create(merchant=merchant, connector=connector, mode="test",
                                                       credentials=credentials, timeout_seconds=TIMEOUT_SECONDS)
    planned = plan_payments(count, seed=mangler.seed + shard, connectors=tuple(accounts))
    # SQLite takes one writer at a time: more threads would only queue on its lock.
    threads, workers = (6, 4) if connection.vendor == "postgresql" else (1, 1)
    payments, stats = drive(accounts=accounts, planned=planned, mangler=mangler, batch_size=250, threads=threads,
                            workers=workers)

    figures, problems = check_payments(payments, gateway_charges())
    queue_figures, queue_problems = check_queue_and_callbacks()
    problems += queue_problems + check_simulator_truth(payments)
    if stats.create_errors:
        problems.append(f"payment_create raised: {dict(stats.create_errors)}")
    injected = {f"mangler: {action}": n for action, n in sorted(mangler.counts.items())}
    scenarios = {}
    for planned_payment in planned:
        scenarios[planned_payment.scenario] = scenarios.get(planned_payment.scenario, 0) + 1
    report(f"mangled-callbacks-{shard}", {
        "payments": count, "seed": mangler.seed + shard, "gateways": ", ".join(accounts),
        "scenarios": dict(sorted(scenarios.items())), **injected,
        "forward errors": dict(mangler.forward_errors), **figures, **queue_figures,
        "janitor status queries": stats.janitor_queries, "jobs run": stats.tasks_run,
        "clock advanced (s)": stats.clock_advanced_seconds, "wall time (s)": round(stats.wall_seconds, 1),
    }, problems)
    assert not problems, "\n".join(problems[:30])
