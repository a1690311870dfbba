"""Append-only payment events, written inside the transaction of the change they describe."""

from __future__ import annotations

from lipwa.common import clock

from .models import PaymentEvent, PaymentIntent
from .presenters import payment_to_dict
from .signals import event_recorded


def event_record(payment: PaymentIntent, event_type: str, *, attempt_id: str = "", extra: dict | None = None
                 ) -> PaymentEvent:
    data = {"object": payment_to_dict(payment)}
    if extra:
        data.update(extra)
    event = PaymentEvent.objects.create(merchant_id=payment.merchant_id, payment=payment, attempt_id=attempt_id,
                                        type=event_type, data=data, created_at=clock.now())
    event_recorded.send(sender=PaymentEvent, event=event)
    return event
