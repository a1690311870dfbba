"""The dashboard's one stylesheet, served by the app itself so it works under any WSGI server without a
separate static-files step (nothing is ever fetched from outside the machine)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "dashboard" / "dashboard.css"


@cache
def _stylesheet() -> bytes:
    return STYLESHEET.read_bytes()


@require_GET
def stylesheet(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_stylesheet(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
