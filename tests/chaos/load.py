"""Drive a seeded load through the real core, the simulators over loopback and the callback mangler.

Everything runs in the test process: payments are created through `payment_create` (what the API calls) from a
few threads, the simulators answer from the live server, callbacks come back through the mangler to /hooks/, and
the worker's tasks (callback processing, the janitor, expiry) are run here, between batches. Time that the design
waits for (the janitor's backoff, expiry) is moved with `lipwa.common.clock`, never slept.
"""

from __future__ import annotations

import importlib
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import connections

from lipwa.common import clock

from .mangler import CallbackMangler
from .plan import PlannedPayment

JANITOR_BATCH = 100  # what one run of attempts_sync_due takes (selectors.attempts_due_for_sync)
FIRST_SYNC_SECONDS = 11  # just past the first re-query (FIRST_SYNC_DELAY_SECONDS = 10)
HEAL_STEPS_SECONDS = (31, 61, 301, 901, 3601)  # the backoff schedule, then past every payment's window


@dataclass
class LoadStats:
    created: int = 0
    create_errors: Counter = field(default_factory=Counter)
    tasks_run: int = 0
    janitor_queries: int = 0
    expired_by_janitor: int = 0
    clock_advanced_seconds: int = 0
    wall_seconds: float = 0.0


def wait_for_simulators(connectors, timeout_seconds: float = 30.0) -> None:
    """Let callbacks the simulators have scheduled (real-time timers) go out, without a fixed sleep."""
    states = [importlib.import_module(f"lipwa.connectors.{c}.simulator.state") for c in connectors]
    deadline = time.monotonic() + timeout_seconds
    while any(s.timers_pending() for s in states) and time.monotonic() < deadline:
        time.sleep(0.02)


def create_payments(accounts: dict, batch: list[PlannedPayment], *, threads: int, stats: LoadStats) -> dict:
    """payment_create for each planned payment, from `threads` threads (each with its own connection)."""
    from lipwa.payments.services import payment_create

    def one(planned: PlannedPayment) -> tuple[PlannedPayment, str | None]:
        account = accounts[planned.connector]
        try:
            payment = payment_create(merchant=account.merchant, mode="test", amount=planned.amount_minor,
                                     currency=planned.currency, method="mobile_money", provider=planned.connector,
                                     phone=planned.phone, merchant_reference=f"chaos-{planned.index}")
            return planned, payment.id
        except Exception as exc:  # counted and reported: a create that raises is a finding
            stats.create_errors[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
            return planned, None
        finally:
            if threads > 1:
                connections.close_all()

    if threads == 1:
        results = [one(p) for p in batch]
    else:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="chaos-create") as pool:
            results = list(pool.map(one, batch))
    created = {payment_id: planned for planned, payment_id in results if payment_id}
    stats.created += len(created)
    return created


def run_worker(stats: LoadStats, threads: int = 1) -> None:
    """Drain the queue with `threads` workers at once, as several db_worker processes would (they claim jobs with
    SKIP LOCKED on PostgreSQL); failed jobs are left for the checks to report."""
    from lipwa.ops.worker import run_ready_tasks

    def one_worker(_: int) -> int:
        try:
            return run_ready_tasks(raise_on_failure=False, rounds_max=200)
        finally:
            if threads > 1:
                connections.close_all()

    if threads == 1:
        stats.tasks_run += one_worker(0)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="chaos-worker") as pool:
        stats.tasks_run += sum(pool.map(one_worker, range(threads)))


def run_janitor(stats: LoadStats, threads: int = 1) -> None:
    """What the scheduler queues every tick: re-query due attempts (all of them), then expire due payments."""
    from lipwa.payments.tasks import attempts_sync_due, payments_expire_due

    while True:
        synced = attempts_sync_due.call()
        stats.janitor_queries += synced
        if synced < JANITOR_BATCH:
            break
    while True:
        expired = payments_expire_due.call()
        stats.expired_by_janitor += expired
        if expired < JANITOR_BATCH:
            break
    run_worker(stats, threads)


def advance(stats: LoadStats, seconds: int) -> None:
    clock.advance(seconds)
    stats.clock_advanced_seconds += seconds


def drive(*, accounts: dict, planned: list[PlannedPayment], mangler: CallbackMangler, batch_size: int,
          threads: int, workers: int) -> tuple[dict, LoadStats]:
    """Create every planned payment in batches, interleaving held callbacks, the worker and the janitor as a
    running system would; then heal (release everything held, let the janitor's backoff play out)."""
    stats = LoadStats()
    started = time.monotonic()
    connectors = sorted({p.connector for p in planned})
    payments: dict[str, PlannedPayment] = {}
    for start in range(0, len(planned), batch_size):
        payments.update(create_payments(accounts, planned[start:start + batch_size], threads=threads, stats=stats))
        mangler.release_held(0.5)  # late and duplicate callbacks of earlier batches arrive amid new ones
        wait_for_simulators(connectors)
        mangler.drain()
        run_worker(stats, workers)
        advance(stats, FIRST_SYNC_SECONDS)
        run_janitor(stats, workers)
    mangler.release_held(1.0)
    wait_for_simulators(connectors)
    mangler.drain()
    run_worker(stats, workers)
    for step in HEAL_STEPS_SECONDS:
        advance(stats, step)
        run_janitor(stats, workers)
        mangler.drain()
        run_worker(stats, workers)
    # Whatever the janitor's queries produced (duplicates held meanwhile) arrives last, after every payment is final.
    mangler.release_held(1.0)
    wait_for_simulators(connectors)
    mangler.drain()
    run_worker(stats, workers)
    stats.wall_seconds = time.monotonic() - started
    return payments, stats
