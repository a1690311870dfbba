"""Append-only payment events, written inside the transaction of the change they describe."""

from __future__ import annotations

from lipwa.common import clock
from lipwa.common.fixed_sql import row_insert

from .models import PaymentEvent, PaymentIntent
from .presenters import payment_to_dict
from .signals import event_recorded


def event_record(payment: PaymentIntent, event_type: str, *, attempt_id: str = "", extra: dict | None = None,
                 obj: dict | None = None) -> PaymentEvent:
    """`obj` is the event's subject when it is not the payment itself (a refund)."""
    data = {"object": obj if obj is not None else payment_to_dict(payment)}
    if extra:
        data.update(extra)
    event = PaymentEvent(merchant_id=payment.merchant_id, mode=payment.mode, payment=payment, attempt_id=attempt_id,
                         type=event_type, data=data, created_at=clock.now())
    row_insert(event)  # every state change records one: an INSERT written once, not compiled each time
    event_recorded.send(sender=PaymentEvent, event=event)
    return event


def event_record_object(*, merchant_id: str, mode: str, event_type: str, obj: dict) -> PaymentEvent:
    """An event about an object that belongs to no payment (a payout); same log, same webhooks."""
    event = PaymentEvent.objects.create(merchant_id=merchant_id, mode=mode, payment=None, type=event_type,
                                        data={"object": obj}, created_at=clock.now())
    event_recorded.send(sender=PaymentEvent, event=event)
    return event
