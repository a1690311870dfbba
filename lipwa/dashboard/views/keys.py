"""API keys (admins): create (the raw key is shown on the next page, once), list masked, revoke."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from lipwa.merchants.services import api_key_create, api_key_revoke

from ..forms import ApiKeyCreateForm
from ..roles import staff_required
from ..selectors import api_key_of_merchant, api_keys_list
from .common import attempt, page

REVEAL_SESSION_KEY = "dashboard_new_key"


@require_http_methods(["GET", "POST"])
@staff_required("admin")
def keys(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ApiKeyCreateForm(request.POST)
        if form.is_valid():
            created = attempt(request, lambda: api_key_create(merchant=request.merchant, mode=request.mode,
                                                              name=form.cleaned_data["name"]),
                              lambda pair: f"Key {pair[0].masked} created. Copy it now: it is not shown again.")
            if created is not None:
                # Post/redirect/get: the key waits in the session for the one page view that shows it, so a
                # reload or the back button can never show it a second time.
                request.session[REVEAL_SESSION_KEY] = created[1]
                return redirect("/dashboard/keys/")
        return page(request, "keys.html", {"form": form, "keys": api_keys_list(merchant=request.merchant,
                                                                                mode=request.mode),
                                           "section": "keys"}, status=400)
    revealed = request.session.pop(REVEAL_SESSION_KEY, None)
    response = page(request, "keys.html", {"form": ApiKeyCreateForm(), "revealed": revealed, "section": "keys",
                                           "keys": api_keys_list(merchant=request.merchant, mode=request.mode)})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required("admin")
def key_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    key = api_key_of_merchant(merchant=request.merchant, key_id=key_id)
    if key is None:
        return page(request, "message.html", {"title": "Key not found", "message": f"No API key {key_id}."}, 404)
    attempt(request, lambda: api_key_revoke(key_id=key.id), f"Key {key.masked} revoked.")
    return redirect("/dashboard/keys/")
