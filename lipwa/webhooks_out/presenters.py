"""The public JSON of events, webhook endpoints and deliveries (Stripe-like); a delivery's body is the event's."""

from __future__ import annotations

import json

from lipwa.payments.models import PaymentEvent

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _unix(value) -> int | None:
    return int(value.timestamp()) if value else None


def event_to_dict(event: PaymentEvent) -> dict:
    # `data` is stored as recorded, so the event never changes.
    return {"id": event.id, "object": "event", "type": event.type, "created": _unix(event.created_at),
            "livemode": event.mode == "live", "data": event.data}


def event_body(event: PaymentEvent) -> bytes:
    """The exact bytes a delivery sends (and signs). Keys are sorted because PostgreSQL's jsonb does not keep
    their order: the same event must give the same bytes however often it is read back and replayed."""
    return json.dumps(event_to_dict(event), separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def webhook_endpoint_to_dict(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict:
    data = {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "description": endpoint.description or None,
        "enabled_events": list(endpoint.enabled_events),
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason or None,
        "disabled_at": _unix(endpoint.disabled_at),
        "previous_secret_expires_at": _unix(endpoint.previous_secret_expires_at),
        "livemode": endpoint.mode == "live",
        "created": _unix(endpoint.created_at),
    }
    if secret is not None:
        data["secret"] = secret  # only in the answer that created it; lipwa cannot show it again
    return data


def webhook_attempt_to_dict(attempt: WebhookAttempt) -> dict:
    return {"attempted_at": _unix(attempt.attempted_at), "succeeded": attempt.succeeded,
            "status_code": attempt.status_code, "error": attempt.error or None, "latency_ms": attempt.latency_ms,
            "response_excerpt": attempt.response_excerpt}


def webhook_delivery_to_dict(delivery: WebhookDelivery, attempts: list[WebhookAttempt] | None = None) -> dict:
    return {
        "id": delivery.id,
        "object": "webhook_delivery",
        "endpoint": delivery.endpoint_id,
        "event": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts_count": delivery.attempts_count,
        "next_attempt_at": _unix(delivery.next_attempt_at),
        "last_attempt_at": _unix(delivery.last_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error or None,
        "succeeded_at": _unix(delivery.succeeded_at),
        "created": _unix(delivery.created_at),
        # Newest first.
        "attempts": [webhook_attempt_to_dict(a) for a in attempts or []],
    }
