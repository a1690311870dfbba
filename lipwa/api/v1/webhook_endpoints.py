"""/v1/webhook_endpoints: where lipwa sends signed events, their secrets, their delivery log, and replays."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest
from ninja import Router, Status

from lipwa.common.errors import InvalidRequest
from lipwa.webhooks_out.presenters import webhook_delivery_to_dict, webhook_endpoint_to_dict
from lipwa.webhooks_out.selectors import webhook_deliveries_list, webhook_endpoint_get, webhook_endpoints_list
from lipwa.webhooks_out.services import (
    ROTATION_OVERLAP_SECONDS,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_replay,
    webhook_endpoint_rotate_secret,
)

from .query import limit_param, refuse_unknown
from .schemas import ErrorOut
from .webhook_schemas import (
    ReplayIn,
    RotateSecretIn,
    WebhookDeliveryListOut,
    WebhookEndpointCreateIn,
    WebhookEndpointDeletedOut,
    WebhookEndpointListOut,
    WebhookEndpointOut,
    WebhookEndpointWithSecretOut,
)

router = Router(tags=["webhook endpoints"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DELIVERY_STATUSES = ("pending", "succeeded", "failed")


@router.post("/webhook_endpoints", response={201: WebhookEndpointWithSecretOut, **ERRORS},
             summary="Create a webhook endpoint (its signing secret is shown once)")
def create_endpoint(request: HttpRequest, body: WebhookEndpointCreateIn):
    key = request.auth
    endpoint, secret = webhook_endpoint_create(
        merchant=key.merchant, mode=key.mode, url=body.url, enabled_events=body.enabled_events,
        description=body.description or "", request_origin=request.build_absolute_uri("/"))
    return Status(201, webhook_endpoint_to_dict(endpoint, secret=secret))


@router.get("/webhook_endpoints", response={200: WebhookEndpointListOut, **ERRORS}, summary="List webhook endpoints")
def list_endpoints(request: HttpRequest):
    key = request.auth
    endpoints = webhook_endpoints_list(merchant=key.merchant, mode=key.mode)
    return {"object": "list", "data": [webhook_endpoint_to_dict(e) for e in endpoints], "has_more": False}


@router.get("/webhook_endpoints/{endpoint_id}", response={200: WebhookEndpointOut, **ERRORS},
            summary="Retrieve a webhook endpoint")
def get_endpoint(request: HttpRequest, endpoint_id: str):
    key = request.auth
    return webhook_endpoint_to_dict(webhook_endpoint_get(merchant=key.merchant, mode=key.mode,
                                                         endpoint_id=endpoint_id))


@router.delete("/webhook_endpoints/{endpoint_id}", response={200: WebhookEndpointDeletedOut, **ERRORS},
               summary="Delete a webhook endpoint")
def delete_endpoint(request: HttpRequest, endpoint_id: str):
    key = request.auth
    endpoint = webhook_endpoint_delete(merchant=key.merchant, mode=key.mode, endpoint_id=endpoint_id)
    return {"id": endpoint.id, "object": "webhook_endpoint", "deleted": True}


@router.post("/webhook_endpoints/{endpoint_id}/rotate_secret", response={200: WebhookEndpointWithSecretOut, **ERRORS},
             summary="Issue a new signing secret; the old one keeps signing during the overlap window")
def rotate_secret(request: HttpRequest, endpoint_id: str, body: RotateSecretIn | None = None):
    key = request.auth
    overlap = body.overlap_seconds if body and body.overlap_seconds is not None else ROTATION_OVERLAP_SECONDS
    endpoint, secret = webhook_endpoint_rotate_secret(merchant=key.merchant, mode=key.mode, endpoint_id=endpoint_id,
                                                      overlap_seconds=overlap)
    return webhook_endpoint_to_dict(endpoint, secret=secret)


@router.post("/webhook_endpoints/{endpoint_id}/enable", response={200: WebhookEndpointOut, **ERRORS},
             summary="Re-enable a webhook endpoint that lipwa disabled")
def enable_endpoint(request: HttpRequest, endpoint_id: str):
    key = request.auth
    return webhook_endpoint_to_dict(webhook_endpoint_enable(merchant=key.merchant, mode=key.mode,
                                                            endpoint_id=endpoint_id))


@router.get("/webhook_endpoints/{endpoint_id}/deliveries", response={200: WebhookDeliveryListOut, **ERRORS},
            summary="The delivery log of a webhook endpoint, newest first, with every attempt")
def list_deliveries(request: HttpRequest, endpoint_id: str):
    """Query: `status` (pending, succeeded, failed), `event` (evt_…), `limit` (1-100), `starting_after`."""
    key = request.auth
    query = request.GET
    refuse_unknown(query, {"status", "event", "limit", "starting_after"})
    status = query.get("status") or None
    if status and status not in DELIVERY_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(DELIVERY_STATUSES)}", param="status")
    endpoint = webhook_endpoint_get(merchant=key.merchant, mode=key.mode, endpoint_id=endpoint_id)
    page, has_more = webhook_deliveries_list(endpoint=endpoint, status=status, event_id=query.get("event") or None,
                                             starting_after=query.get("starting_after") or None,
                                             limit=limit_param(query))
    return {"object": "list", "data": [webhook_delivery_to_dict(d, a) for d, a in page], "has_more": has_more}


@router.post("/webhook_endpoints/{endpoint_id}/replay", response={202: WebhookDeliveryListOut, **ERRORS},
             summary="Send one event again, or every failed delivery since a time")
def replay(request: HttpRequest, endpoint_id: str, body: ReplayIn):
    """Body: `{"event": "evt_…"}`, or `{"since": <unix seconds>, "status": "failed"}` (at most 1000 deliveries per
    call, oldest first; `has_more` says to call again)."""
    key = request.auth
    since = datetime.fromtimestamp(body.since, tz=UTC) if body.since is not None else None
    deliveries, has_more = webhook_endpoint_replay(merchant=key.merchant, mode=key.mode, endpoint_id=endpoint_id,
                                                   event_id=body.event, since=since, status=body.status)
    return Status(202, {"object": "list", "data": [webhook_delivery_to_dict(d) for d in deliveries],
                        "has_more": has_more})
