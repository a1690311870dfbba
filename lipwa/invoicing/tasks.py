"""Thin task wrappers; the scheduler enqueues them periodically."""

from __future__ import annotations

from django_tasks import task

from .periodic import invoices_mark_overdue, invoices_remind


@task(queue_name="sync")
def invoices_mark_overdue_due() -> int:
    return invoices_mark_overdue()


@task(queue_name="sync")
def invoice_reminders_due() -> int:
    return invoices_remind()
