"""Prometheus metrics: what each process counts, and what is read from the database at scrape time.

Two kinds, on purpose:

- Counters and histograms of things a process does (HTTP requests served, gateway calls made) live in the
  process that did them. Under gunicorn and with separate worker processes they are written to
  `PROMETHEUS_MULTIPROC_DIR` (one file per process) and summed at scrape, so they count across processes.
- Business state (payments by status and provider, queue depth, webhook backlog, worker heartbeat) is read
  from the database at scrape time. A counter bumped on each transition would be per process, restart at
  zero and miss transitions made by another process or by an operator; the database is the one truth every
  process shares, so a gauge from it is right however many processes run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

log = logging.getLogger("lipwa.ops.metrics")

HTTP_REQUEST_SECONDS = Histogram(
    "lipwa_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class DatabaseCollector(Collector):
    """Gauges computed from the database on each scrape."""

    def collect(self) -> Iterator[Metric]:
        try:
            families = list(_database_families())
        except Exception as exc:  # the database is down: say so rather than fail the whole scrape
            log.warning("metrics: database gauges unavailable: %s", type(exc).__name__)
            up = GaugeMetricFamily("lipwa_database_up", "1 when the database answered the metrics queries.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("lipwa_database_up", "1 when the database answered the metrics queries.")
        up.add_metric([], 1)
        yield up
        yield from families


def _database_families() -> Iterator[Metric]:
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    from lipwa.common import clock
    from lipwa.payments.models import PaymentIntent
    from lipwa.webhooks_out.models import DeliveryStatus, WebhookDelivery

    from .models import Heartbeat
    from .services import WORKER

    now = clock.now()
    payments = GaugeMetricFamily("lipwa_payments", "Payments by status, provider and mode (from the database).",
                                 labels=["status", "provider", "mode"])
    rows = PaymentIntent.objects.values("status", "provider", "mode").annotate(n=Count("id")).order_by()
    for row in rows:
        payments.add_metric([row["status"], row["provider"], row["mode"]], row["n"])
    yield payments

    depth = GaugeMetricFamily("lipwa_task_queue_depth", "Tasks ready to run (not yet claimed by a worker), by queue.",
                              labels=["queue"])
    oldest = GaugeMetricFamily("lipwa_task_queue_oldest_age_seconds",
                               "Age of the oldest ready task, by queue: how far behind the workers are.",
                               labels=["queue"])
    ready = DBTaskResult.objects.ready().values("queue_name").annotate(n=Count("id"), first=Min("run_after"))
    for row in ready.order_by():
        depth.add_metric([row["queue_name"]], row["n"])
        oldest.add_metric([row["queue_name"]], max(0.0, (now - row["first"]).total_seconds()))
    yield depth
    yield oldest
    running = GaugeMetricFamily("lipwa_tasks_running", "Tasks claimed by a worker and not finished.")
    running.add_metric([], DBTaskResult.objects.running().count())
    yield running

    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    backlog = GaugeMetricFamily("lipwa_webhook_deliveries_pending",
                                "Merchant webhook deliveries not yet acknowledged (queued or waiting to retry).")
    backlog.add_metric([], pending.count())
    yield backlog
    due = GaugeMetricFamily("lipwa_webhook_deliveries_due", "Pending merchant webhook deliveries due now.")
    due.add_metric([], pending.filter(next_attempt_at__lte=now).count())
    yield due
    first = pending.aggregate(first=Min("created_at"))["first"]
    age = GaugeMetricFamily("lipwa_webhook_backlog_oldest_age_seconds",
                            "Age of the oldest unacknowledged merchant webhook delivery.")
    age.add_metric([], max(0.0, (now - first).total_seconds()) if first else 0.0)
    yield age

    beat = Heartbeat.objects.filter(name=WORKER).first()
    heartbeat = GaugeMetricFamily("lipwa_worker_heartbeat_age_seconds",
                                  "Seconds since a worker last ran the heartbeat task (absent: never).")
    if beat is not None:
        heartbeat.add_metric([], max(0.0, (now - beat.seen_at).total_seconds()))
    yield heartbeat


class _ThisProcess(Collector):
    """Without a multiprocess directory: this process's own metrics."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def render() -> bytes:
    """The exposition text for one scrape."""
    registry = CollectorRegistry()
    directory = multiprocess_dir()
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def process_exited(pid: int) -> None:
    """gunicorn's child_exit hook: fold a dead worker's live gauges away (its counters stay counted)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
