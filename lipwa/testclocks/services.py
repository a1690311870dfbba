"""Test clocks: create one, create test payments and schedules on it, and advance it.

Advancing runs the same time-driven work the scheduler runs (the janitor's status re-queries, payment expiry,
invoice overdue marking and reminders), limited to the clock's objects and as of the clock's time
(`clock.at`), stepping from one due moment to the next so the order of events is the order real time would
give. It runs synchronously: when the API call returns, the work is done.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, PermissionDenied
from lipwa.invoicing.periodic import invoices_mark_overdue, invoices_remind
from lipwa.merchants.models import Merchant
from lipwa.payments.tasks import attempts_sync_due, payments_expire_due

from .models import TestClock, TestClockObject
from .selectors import attached_ids, attached_invoice_ids, next_work_at, test_clock_get

log = logging.getLogger("lipwa.testclocks")

T = TypeVar("T")
NAME_LENGTH_MAX = 100
PAST_TOLERANCE = timedelta(minutes=5)
AHEAD_MAX = timedelta(days=5 * 366)
ADVANCE_MAX = timedelta(days=2 * 366)
STEPS_MAX = 5000
SAME_MOMENT_STEPS_MAX = 50  # more than this many rounds at one moment means some work keeps failing


def require_test_mode(mode: str, param: str | None = None) -> None:
    if mode != "test":
        raise PermissionDenied("test clocks exist only in test mode: use a sk_test_ key", param=param,
                               code="test_clock_live_mode")


def _from_unix(value: object, param: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 253402300799:
        raise InvalidRequest(f"{param} must be unix seconds", param=param)
    return datetime.fromtimestamp(value, UTC)


def test_clock_create(*, merchant: Merchant, mode: str, frozen_time: int | None = None, name: str = "") -> TestClock:
    """A clock starts now or later: the scheduler still handles attached objects in real time, so a clock
    behind real time would see its objects expire before it got there."""
    require_test_mode(mode)
    now = clock.now()
    start = now if frozen_time is None else _from_unix(frozen_time, "frozen_time")
    if start < now - PAST_TOLERANCE:
        raise InvalidRequest("frozen_time must not be in the past", param="frozen_time", code="frozen_time_in_past")
    if start > now + AHEAD_MAX:
        raise InvalidRequest("frozen_time may be at most 5 years ahead", param="frozen_time")
    if len(name or "") > NAME_LENGTH_MAX:
        raise InvalidRequest(f"name is longer than {NAME_LENGTH_MAX} characters", param="name")
    return TestClock.objects.create(merchant=merchant, name=name or "", frozen_time=start, created_at=now,
                                    updated_at=now)


def on_test_clock(*, merchant: Merchant, mode: str, clock_id: str | None, object_type: str,
                  create: Callable[[], T]) -> T:
    """Run `create` as of the clock's time and attach what it made; without a clock, just run it."""
    if clock_id is None:
        return create()
    require_test_mode(mode, param="test_clock")
    test_clock = test_clock_get(merchant=merchant, clock_id=clock_id, param="test_clock")
    if test_clock.status != "ready":
        raise Conflict(f"test clock {test_clock.id} is advancing", param="test_clock", code="test_clock_advancing")
    with clock.at(test_clock.frozen_time):
        created = create()
    TestClockObject.objects.create(clock=test_clock, object_type=object_type, object_id=created.id,
                                   attached_at=test_clock.frozen_time)
    return created


def _target(start: datetime, to: int | None, seconds: int | None) -> datetime:
    if (to is None) == (seconds is None):
        raise InvalidRequest("give exactly one of to (unix seconds) and seconds", param="to")
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
            raise InvalidRequest("seconds must be a positive integer", param="seconds")
        if seconds > ADVANCE_MAX.total_seconds():
            raise InvalidRequest("one advance may move a clock at most 2 years", param="seconds")
        return start + timedelta(seconds=seconds)
    target = _from_unix(to, "to")
    if target <= start:
        raise InvalidRequest("to must be later than the clock's frozen_time (clocks only move forward)",
                             param="to", code="test_clock_backwards")
    if target - start > ADVANCE_MAX:
        raise InvalidRequest("one advance may move a clock at most 2 years", param="to")
    return target


def test_clock_advance(*, merchant: Merchant, mode: str, clock_id: str, to: int | None = None,
                       seconds: int | None = None) -> tuple[TestClock, dict]:
    """Move the clock to its target, running every piece of due work of its objects in time order."""
    require_test_mode(mode)
    with transaction.atomic():
        test_clock = TestClock.objects.select_for_update().filter(id=clock_id, merchant=merchant).first()
        if test_clock is None:
            test_clock_get(merchant=merchant, clock_id=clock_id)  # raises the ordinary 404
        if test_clock.status != "ready":
            raise Conflict(f"test clock {test_clock.id} is already advancing", code="test_clock_advancing")
        target = _target(test_clock.frozen_time, to, seconds)
        test_clock.status = "advancing"
        test_clock.save(update_fields=["status"])
    current, work = test_clock.frozen_time, Counter()
    try:
        current = _run_until(test_clock, current, target, work)
    finally:
        # Even after a failure the clock keeps the moment it reached, so a retry continues from there.
        TestClock.objects.filter(id=test_clock.id).update(frozen_time=current, status="ready",
                                                          updated_at=clock.now())
    test_clock.refresh_from_db()
    log.info("test clock %s advanced to %s: %s", test_clock.id, test_clock.frozen_time.isoformat(), dict(work))
    return test_clock, {key: work[key] for key in ("attempts_synced", "payments_expired", "invoices_overdue",
                                                   "invoice_reminders")}


def _run_until(test_clock: TestClock, current: datetime, target: datetime, work: Counter) -> datetime:
    same_moment = 0
    for _ in range(STEPS_MAX):
        moment = next_work_at(test_clock, current=current, until=target)
        if moment is None:
            return target
        same_moment = same_moment + 1 if moment == current else 0
        if same_moment > SAME_MOMENT_STEPS_MAX:
            raise Conflict(f"test clock {test_clock.id}: work due at {moment.isoformat()} keeps failing; the clock "
                           "stopped there", code="test_clock_stuck")
        _run_at(test_clock, moment, work)
        current = moment
    raise Conflict(f"test clock {test_clock.id}: more than {STEPS_MAX} steps of due work; advance in smaller steps",
                   code="test_clock_stuck")


def _run_at(test_clock: TestClock, moment: datetime, work: Counter) -> None:
    payment_ids = attached_ids(test_clock, "payment")
    invoice_ids = attached_invoice_ids(test_clock)
    with clock.at(moment):
        if payment_ids:
            work["attempts_synced"] += attempts_sync_due.call(payment_ids=payment_ids)
            work["payments_expired"] += payments_expire_due.call(payment_ids=payment_ids)
        if invoice_ids:
            work["invoices_overdue"] += invoices_mark_overdue(invoice_ids=invoice_ids)
            work["invoice_reminders"] += invoices_remind(invoice_ids=invoice_ids)
