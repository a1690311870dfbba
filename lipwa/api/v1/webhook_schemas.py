"""Schemas of /v1/events and /v1/webhook_endpoints."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

from .schemas import StrictSchema


class EventOut(Schema):
    id: str
    object: str
    type: str
    created: int
    livemode: bool
    data: dict


class EventListOut(Schema):
    object: str
    data: list[EventOut]
    has_more: bool


class WebhookEndpointCreateIn(StrictSchema):
    url: StrictStr = Field(max_length=2000, description="http(s) URL lipwa POSTs events to")
    enabled_events: list[StrictStr] = Field(max_length=100, description="Event types to send, or ['*'] for all")
    description: StrictStr | None = Field(None, max_length=500)


class WebhookEndpointOut(Schema):
    id: str
    object: str
    url: str
    description: str | None
    enabled_events: list[str]
    status: str
    disabled_reason: str | None
    disabled_at: int | None
    previous_secret_expires_at: int | None
    livemode: bool
    created: int


class WebhookEndpointWithSecretOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (whsec_…); shown only in this answer")


class WebhookEndpointListOut(Schema):
    object: str
    data: list[WebhookEndpointOut]
    has_more: bool


class WebhookEndpointDeletedOut(Schema):
    id: str
    object: str
    deleted: bool


class RotateSecretIn(StrictSchema):
    overlap_seconds: StrictInt | None = Field(
        None, description="How long the current secret keeps signing beside the new one (default 86400; 0 retires "
                          "it at once)")


class ReplayIn(StrictSchema):
    event: StrictStr | None = Field(None, max_length=40, description="Replay this one event (evt_…)")
    since: StrictInt | None = Field(None, ge=0, description="Replay failed deliveries created since (unix seconds)")
    status: Literal["failed"] | None = None


class WebhookAttemptOut(Schema):
    attempted_at: int
    succeeded: bool
    status_code: int | None
    error: str | None
    latency_ms: int
    response_excerpt: str


class WebhookDeliveryOut(Schema):
    id: str
    object: str
    endpoint: str
    event: str
    event_type: str
    status: str
    attempts_count: int
    next_attempt_at: int | None
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str | None
    succeeded_at: int | None
    created: int
    attempts: list[WebhookAttemptOut]


class WebhookDeliveryListOut(Schema):
    object: str
    data: list[WebhookDeliveryOut]
    has_more: bool
