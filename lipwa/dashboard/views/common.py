"""What every dashboard view shares: rendering with the merchant context, and running a service call whose
refusal (a LipwaError) becomes a message on the page rather than a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lipwa.common.errors import LipwaError

from ..roles import role_at_least
from ..selectors import memberships_of

T = TypeVar("T")


def page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    role = request.membership.role
    context = {"merchant": request.merchant, "mode": request.mode, "role": role,
               "is_operator": role_at_least(role, "operator"), "is_admin": role_at_least(role, "admin"),
               "memberships": memberships_of(user=request.user), **context}
    return render(request, f"dashboard/{template}", context, status=status)


def attempt(request: HttpRequest, action: Callable[[], T], success: str | Callable[[T], str]) -> T | None:
    """Run a service call; report its refusal (precise message from the service) or its success."""
    try:
        result = action()
    except LipwaError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def actor(request: HttpRequest) -> str:
    """How staff are named in refunds, audits and approvals: their login (the email)."""
    return request.user.get_username()
