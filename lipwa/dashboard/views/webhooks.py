"""Webhook endpoints (admins create and delete), their delivery log, and replay (operators)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lipwa.common.errors import NotFound
from lipwa.webhooks_out.selectors import webhook_deliveries_list, webhook_endpoint_get, webhook_endpoints_list
from lipwa.webhooks_out.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_replay,
)

from ..forms import WebhookEndpointForm
from ..roles import role_at_least, staff_required
from ..selectors import webhook_delivery_of_merchant
from .common import attempt, page

DELIVERIES_SHOWN = 50


@require_http_methods(["GET", "POST"])
@staff_required("viewer")
def endpoints(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm()
    secret = None
    status = 200
    if request.method == "POST":
        if not role_at_least(request.membership.role, "admin"):
            return page(request, "message.html", {"title": "Not allowed",
                                                  "message": "Adding webhook endpoints needs the admin role."}, 403)
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            created = attempt(request, lambda: webhook_endpoint_create(
                merchant=request.merchant, mode=request.mode, url=form.cleaned_data["url"],
                enabled_events=form.cleaned_data["enabled_events"], description=form.cleaned_data["description"],
                request_origin=f"{request.scheme}://{request.get_host()}"), "Endpoint added.")
            if created is not None:
                endpoint, secret = created
                form = WebhookEndpointForm()
            else:
                status = 400
        else:
            status = 400
    rows = webhook_endpoints_list(merchant=request.merchant, mode=request.mode)
    return page(request, "webhooks.html", {"endpoints": rows, "form": form, "secret": secret,
                                           "section": "webhooks"}, status=status)


@require_GET
@staff_required("viewer")
def endpoint_detail(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    try:
        endpoint = webhook_endpoint_get(merchant=request.merchant, mode=request.mode, endpoint_id=endpoint_id)
    except NotFound as error:
        return page(request, "message.html", {"title": "Endpoint not found", "message": error.message}, 404)
    deliveries, _ = webhook_deliveries_list(endpoint=endpoint, status=request.GET.get("status") or None,
                                            limit=DELIVERIES_SHOWN)
    return page(request, "webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries,
                                                 "section": "webhooks"})


@require_POST
@staff_required("operator")
def delivery_replay(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = webhook_delivery_of_merchant(merchant=request.merchant, mode=request.mode, delivery_id=delivery_id)
    if delivery is None:
        return page(request, "message.html", {"title": "Delivery not found",
                                              "message": f"No webhook delivery {delivery_id}."}, 404)
    attempt(request, lambda: webhook_endpoint_replay(merchant=request.merchant, mode=request.mode,
                                                     endpoint_id=delivery.endpoint_id, event_id=delivery.event_id),
            f"Event {delivery.event_id} queued again for {delivery.endpoint.url}.")
    return redirect(f"/dashboard/webhooks/{delivery.endpoint_id}")


@require_POST
@staff_required("admin")
def endpoint_delete(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    attempt(request, lambda: webhook_endpoint_delete(merchant=request.merchant, mode=request.mode,
                                                     endpoint_id=endpoint_id), "Endpoint deleted.")
    return redirect("/dashboard/webhooks/")


@require_POST
@staff_required("admin")
def endpoint_enable(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    attempt(request, lambda: webhook_endpoint_enable(merchant=request.merchant, mode=request.mode,
                                                     endpoint_id=endpoint_id), "Endpoint enabled.")
    return redirect(f"/dashboard/webhooks/{endpoint_id}")
