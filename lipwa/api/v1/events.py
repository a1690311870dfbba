"""/v1/events: the immutable log of state changes, newest first; the same JSON merchant webhooks carry."""

from __future__ import annotations

import re

from django.http import HttpRequest
from ninja import Router

from lipwa.common.errors import InvalidRequest
from lipwa.payments.selectors import event_get, events_list
from lipwa.webhooks_out.presenters import event_to_dict

from .query import limit_param, refuse_unknown, unix_param
from .schemas import ErrorOut
from .webhook_schemas import EventListOut, EventOut

router = Router(tags=["events"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
# An exact type (payment.succeeded), a family (payment.*), or * for all.
_TYPE_FILTER = re.compile(r"^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)\Z")


@router.get("/events", response={200: EventListOut, **ERRORS}, summary="List events, newest first")
def list_events(request: HttpRequest):
    """Query: `type` (exact, or a prefix such as `payment.*`), `created[gte]`, `created[lte]` (unix seconds),
    `limit` (1-100), `starting_after` (an event id from the previous page), `order` (`desc`, the default, or
    `asc`: oldest first, `starting_after` then means newer than that event, which is how a poller such as
    `lipwa listen` follows the log). Events are kept at least 30 days (today lipwa deletes none)."""
    key = request.auth
    query = request.GET
    refuse_unknown(query, {"type", "created[gte]", "created[lte]", "limit", "starting_after", "order"})
    exact, prefix = _type_filter(query.get("type") or "")
    page, has_more = events_list(
        merchant=key.merchant, mode=key.mode, event_type=exact, event_type_prefix=prefix,
        created_gte=unix_param(query, "created[gte]"), created_lte=unix_param(query, "created[lte]"),
        starting_after=query.get("starting_after") or None, limit=limit_param(query),
        oldest_first=_oldest_first(query.get("order")),
    )
    return {"object": "list", "data": [event_to_dict(e) for e in page], "has_more": has_more}


@router.get("/events/{event_id}", response={200: EventOut, **ERRORS}, summary="Retrieve an event")
def get_event(request: HttpRequest, event_id: str):
    key = request.auth
    return event_to_dict(event_get(merchant=key.merchant, mode=key.mode, event_id=event_id))


def _oldest_first(value: str | None) -> bool:
    if value is None or value == "desc":
        return False
    if value == "asc":
        return True
    raise InvalidRequest("order must be asc or desc", param="order")


def _type_filter(value: str) -> tuple[str | None, str | None]:
    """(exact type, type prefix) for the `type` parameter."""
    if not value or value == "*":
        return None, None
    if len(value) > 60 or not _TYPE_FILTER.match(value):
        raise InvalidRequest("type must be an event type such as payment.succeeded, or a family such as payment.*",
                             param="type")
    if value.endswith(".*"):
        return None, value[:-1]
    return value, None
