"""The catalogue of event types merchants can subscribe to.

Payment event types follow the payment statuses (`payment.<status>`), so a status added to the table is
subscribable at once. Other families are listed by hand; the tests check that every literal event type the
core records appears here, so a new one cannot be emitted without being subscribable.
"""

from __future__ import annotations

from lipwa.payments.states import PaymentStatus

WILDCARD = "*"

PAYMENT_EVENT_TYPES = (
    "payment.created",
    # A payment never returns to `pending`, so there is no `payment.pending` event.
    *(f"payment.{status.value}" for status in PaymentStatus if status is not PaymentStatus.PENDING),
    "payment.review_required",
)
REFUND_EVENT_TYPES = (
    "refund.created",
    "refund.approval_required",
    "refund.approved",
    "refund.rejected",
    "refund.manual_action_required",
    "refund.processing",
    "refund.succeeded",
    "refund.failed",
)

PAYOUT_EVENT_TYPES = ("payout.created", "payout.processing", "payout.succeeded", "payout.failed")

# Invoice status changes; `invoice.reminder_due` is recorded a few days before an unpaid invoice falls due,
# so the merchant can remind the customer.
INVOICE_EVENT_TYPES = ("invoice.paid", "invoice.partially_paid", "invoice.overdue", "invoice.voided",
                       "invoice.reminder_due")

EVENT_TYPES = frozenset(PAYMENT_EVENT_TYPES + REFUND_EVENT_TYPES + PAYOUT_EVENT_TYPES + INVOICE_EVENT_TYPES)


def event_type_matches(enabled_events: list[str], event_type: str) -> bool:
    return WILDCARD in enabled_events or event_type in enabled_events
