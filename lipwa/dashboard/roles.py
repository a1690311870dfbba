"""Role checks for dashboard views: every view declares the least role it needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from .models import Role
from .selectors import membership_for

ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}
MODE_SESSION_KEY = "dashboard_mode"
MERCHANT_SESSION_KEY = "dashboard_merchant"


def role_at_least(role: str, needed: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(needed)]


def staff_required(needed: str) -> Callable:
    """Log-in required, then a membership of at least `needed`; sets request.membership and request.mode.

    A signed-in user without the role gets a 403 page that says which role the action needs, so a viewer
    who follows a stale link learns why instead of seeing a bare error.
    """
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url="/dashboard/login/")
            membership = membership_for(user=request.user, merchant_id=request.session.get(MERCHANT_SESSION_KEY))
            if membership is None:
                return _forbidden(request, "Your user belongs to no merchant. Ask an administrator for access.")
            if not role_at_least(membership.role, needed):
                return _forbidden(request, f"This needs the {needed} role; you are {membership.role}.")
            request.membership = membership
            request.merchant = membership.merchant
            request.mode = request.session.get(MODE_SESSION_KEY, "test")
            return view(request, *args, **kwargs)

        wrapped.required_role = needed
        return wrapped

    return decorate


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    from django.shortcuts import render

    return render(request, "dashboard/message.html", {"title": "Not allowed", "message": message}, status=403)
