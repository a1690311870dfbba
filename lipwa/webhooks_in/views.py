"""POST /hooks/<slug>/<account_id>/<token>/: store first, answer the gateway fast, process in the worker."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .services import CallbackRefused, inbound_webhook_receive


@csrf_exempt
@require_http_methods(["POST", "PUT"])  # some gateways (MTN MoMo's sandbox) deliver callbacks with PUT
def gateway_callback(request: HttpRequest, slug: str, account_id: str, token: str | None = None) -> HttpResponse:
    headers = {key: value for key, value in request.headers.items()}
    try:
        _, ack = inbound_webhook_receive(slug=slug, account_id=account_id, token=token, path=request.path,
                                         headers=headers, body=request.body,
                                         remote_addr=request.META.get("REMOTE_ADDR", ""))
    except CallbackRefused as refused:
        return JsonResponse({"error": {"type": "invalid_request_error", "code": "callback_refused",
                                       "message": refused.message, "param": None,
                                       "request_id": getattr(request, "request_id", None)}},
                            status=refused.status)
    return HttpResponse(ack.body, status=ack.status_code, content_type=ack.content_type)
