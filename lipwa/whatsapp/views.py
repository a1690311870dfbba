"""POST /flows/whatsapp/<merchant_id>: the encrypted data-exchange endpoint WhatsApp calls (PROVIDERS.md §A).

Order: signature over the raw bytes (432), then decryption (421 so the client re-fetches our public key), then
the flow. Answers are AES-GCM with the flipped IV, base64, text/plain; errors before decryption are plain JSON.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .crypto import MalformedRequest, UndecryptableRequest, open_request, seal_response, signature_valid
from .flow import BadFlowRequest, InvalidFlowToken, flow_respond
from .services import flow_endpoint_get

log = logging.getLogger("lipwa.whatsapp")

SIGNATURE_HEADER = "X-Hub-Signature-256"
STATUS_UNDECRYPTABLE = 421
STATUS_FLOW_TOKEN_INVALID = 427
STATUS_SIGNATURE_INVALID = 432


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def data_exchange(request: HttpRequest, merchant_id: str) -> HttpResponse:
    endpoint = flow_endpoint_get(merchant_id=merchant_id)
    if endpoint is None:
        return _error(404, "flow_endpoint_not_found", "no WhatsApp Flows endpoint is set up for this merchant")
    secrets = endpoint.get_secrets()
    raw = request.body
    if not signature_valid(raw, request.headers.get(SIGNATURE_HEADER), secrets["app_secret"]):
        log.warning("whatsapp flow request for %s refused: bad %s", merchant_id, SIGNATURE_HEADER)
        return _error(STATUS_SIGNATURE_INVALID, "signature_invalid", f"{SIGNATURE_HEADER} does not match the body")
    try:
        opened = open_request(raw, secrets["private_key_pem"])
    except UndecryptableRequest as exc:
        log.warning("whatsapp flow request for %s cannot be decrypted: %s", merchant_id, exc)
        return _error(STATUS_UNDECRYPTABLE, "cannot_decrypt", str(exc))
    except MalformedRequest as exc:
        return _error(400, "malformed_request", str(exc))
    try:
        answer = flow_respond(merchant=endpoint.merchant, payload=opened.payload)
    except InvalidFlowToken as exc:
        return _error(STATUS_FLOW_TOKEN_INVALID, "flow_token_invalid", str(exc))
    except BadFlowRequest as exc:
        return _error(400, "bad_flow_request", str(exc))
    return HttpResponse(seal_response(answer, opened), content_type="text/plain")
