"""Thin task wrappers over checkout services."""

from __future__ import annotations

from django_tasks import task

from .receipts_email import receipt_email_send, receipt_emails_send_due


@task()
def receipt_email_task(payment_id: str) -> bool:
    return receipt_email_send(payment_id=payment_id)


@task()
def receipt_emails_send_due_task() -> int:
    return receipt_emails_send_due()
