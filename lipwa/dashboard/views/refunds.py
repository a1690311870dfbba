"""Refunds: the list with those waiting for approval first; approve or reject (admins, never the requester)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from lipwa.payments.refunds import refund_approve, refund_reject

from ..forms import RefundRejectForm
from ..roles import staff_required
from ..selectors import refund_of_merchant, refunds_waiting
from .common import actor, attempt, page


@require_GET
@staff_required("viewer")
def refunds_list(request: HttpRequest) -> HttpResponse:
    refunds = refunds_waiting(merchant=request.merchant, mode=request.mode)
    waiting = [r for r in refunds if r.status == "requires_approval"]
    others = [r for r in refunds if r.status != "requires_approval"]
    return page(request, "refunds.html", {"waiting": waiting, "others": others, "reject_form": RefundRejectForm(),
                                          "me": actor(request), "section": "refunds"})


def _own_refund(request: HttpRequest, refund_id: str):
    refund = refund_of_merchant(merchant=request.merchant, mode=request.mode, refund_id=refund_id)
    if refund is None:
        return None, page(request, "message.html", {"title": "Refund not found",
                                                    "message": f"No refund {refund_id} in {request.mode} mode."}, 404)
    return refund, None


@require_POST
@staff_required("admin")
def refund_approve_view(request: HttpRequest, refund_id: str) -> HttpResponse:
    refund, missing = _own_refund(request, refund_id)
    if missing:
        return missing
    attempt(request, lambda: refund_approve(refund_id=refund.id, approver=actor(request)),
            lambda done: f"Refund {done.id} approved: {done.status}.")
    return redirect("/dashboard/refunds/")


@require_POST
@staff_required("admin")
def refund_reject_view(request: HttpRequest, refund_id: str) -> HttpResponse:
    refund, missing = _own_refund(request, refund_id)
    if missing:
        return missing
    form = RefundRejectForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    attempt(request, lambda: refund_reject(refund_id=refund.id, rejecter=actor(request), note=note),
            f"Refund {refund.id} rejected.")
    return redirect("/dashboard/refunds/")
