"""Log-in and log-out (Django's session auth), and choosing the mode and merchant the pages show."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..roles import MERCHANT_SESSION_KEY, MODE_SESSION_KEY, staff_required
from ..selectors import membership_for


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True
    next_page = "/dashboard/"


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("/dashboard/login/")


@require_POST
@staff_required("viewer")
def mode_switch(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode", "")
    if mode not in ("test", "live"):
        return HttpResponseBadRequest("mode must be test or live")
    request.session[MODE_SESSION_KEY] = mode
    return redirect(_back(request))


@require_POST
@staff_required("viewer")
def merchant_switch(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("merchant", "")
    membership = membership_for(user=request.user, merchant_id=wanted)
    if membership is None or membership.merchant_id != wanted:
        return HttpResponseBadRequest("you are not staff of that merchant")
    request.session[MERCHANT_SESSION_KEY] = wanted
    return redirect("/dashboard/")


def _back(request: HttpRequest) -> str:
    """Only ever redirect within the dashboard (a crafted `next` must not send staff elsewhere)."""
    target = request.POST.get("next", "")
    return target if target.startswith("/dashboard/") and "//" not in target else "/dashboard/"
