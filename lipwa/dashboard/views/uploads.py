"""The progress of a statement upload: a page that refreshes itself (meta refresh without JavaScript, a small
polling script with it) and the JSON the script polls."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from ..roles import staff_required
from ..uploads import statement_upload_of_merchant, statement_upload_progress
from .common import page

REFRESH_SECONDS = 2


def _upload(request: HttpRequest, upload_id: str):
    # Another merchant's (or the other mode's) upload is as unknown as a made-up id.
    return statement_upload_of_merchant(merchant=request.merchant, mode=request.mode, upload_id=upload_id)


def _not_found(request: HttpRequest, upload_id: str) -> str:
    return f"No statement upload {upload_id} in {request.mode} mode."


@require_GET
@staff_required("viewer")
def upload_detail(request: HttpRequest, upload_id: str) -> HttpResponse:
    upload = _upload(request, upload_id)
    if upload is None:
        return page(request, "message.html", {"title": "Upload not found",
                                              "message": _not_found(request, upload_id)}, 404)
    progress = statement_upload_progress(upload)
    return page(request, "upload.html", {"upload": upload, "progress": progress, "refresh_seconds": REFRESH_SECONDS,
                                         "section": "reconciliation"})


@require_GET
@staff_required("viewer")
def upload_progress(request: HttpRequest, upload_id: str) -> JsonResponse:
    upload = _upload(request, upload_id)
    if upload is None:
        return JsonResponse({"error": _not_found(request, upload_id)}, status=404)
    response = JsonResponse(statement_upload_progress(upload))
    response["Cache-Control"] = "no-store"
    return response
