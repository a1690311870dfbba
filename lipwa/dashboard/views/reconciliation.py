"""Reconciliation: statements (list and upload, which queues a background import; see uploads.py) and the
discrepancy review queue.

Only functions of lipwa.reconciliation are called: `review_queue`, `discrepancy_get` (selectors) and
`resolve_discrepancy` (its review actions); the upload task calls `statement_import` and `statement_reconcile`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from lipwa.common.errors import LipwaError
from lipwa.reconciliation.models import FORMATS
from lipwa.reconciliation.resolutions import resolve_discrepancy
from lipwa.reconciliation.selectors import discrepancy_get, review_queue

from ..forms import DiscrepancyActionForm, StatementUploadForm
from ..roles import role_at_least, staff_required
from ..selectors import statements_list
from ..uploads import statement_upload_create, statement_uploads_recent
from .common import actor, attempt, page

# Accepting the statement's figure or writing off posts a correcting ledger transfer: admins only.
MONEY_ACTIONS = ("accept_statement", "write_off")


@require_http_methods(["GET", "POST"])
@staff_required("viewer")
def statements(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(formats=FORMATS)
    status = 200
    if request.method == "POST":
        if not role_at_least(request.membership.role, "operator"):
            return page(request, "message.html", {"title": "Not allowed",
                                                  "message": "Uploading statements needs the operator role."}, 403)
        form = StatementUploadForm(request.POST, request.FILES, formats=FORMATS)
        if form.is_valid() and (upload := _queue_upload(request, form)) is not None:
            return redirect(f"/dashboard/reconciliation/uploads/{upload.id}/")
        status = 400
    return page(request, "statements.html", {
        "statements": statements_list(merchant=request.merchant, mode=request.mode),
        "uploads": statement_uploads_recent(merchant=request.merchant, mode=request.mode),
        "form": form, "section": "reconciliation"}, status=status)


def _queue_upload(request: HttpRequest, form: StatementUploadForm):
    """Store the file and queue its import; the progress page follows it from there."""
    return attempt(request, lambda: statement_upload_create(
        merchant=request.merchant, mode=request.mode, uploaded_by=actor(request), file=form.cleaned_data["file"],
        format=form.cleaned_data["format"], preset=form.cleaned_data["preset"],
        currency=form.cleaned_data["currency"]), lambda upload: f"{upload.filename}: queued for import.")


@require_http_methods(["GET"])
@staff_required("viewer")
def review(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    try:
        rows, _ = review_queue(request.merchant, mode=request.mode, status=status, limit=200)
    except LipwaError as error:
        return page(request, "message.html", {"title": "Bad filter", "message": error.message}, 400)
    return page(request, "review.html", {"discrepancies": rows, "status": status or "", "form": DiscrepancyActionForm(),
                                         "section": "reconciliation"})


@require_POST
@staff_required("operator")
def discrepancy_action(request: HttpRequest, discrepancy_id: str) -> HttpResponse:
    form = DiscrepancyActionForm(request.POST)
    if not form.is_valid():
        return page(request, "message.html", {"title": "Unknown action",
                                              "message": "; ".join(form.errors.get("action", []))}, 400)
    action = form.cleaned_data["action"]
    if action in MONEY_ACTIONS and not role_at_least(request.membership.role, "admin"):
        return page(request, "message.html", {"title": "Not allowed",
                                              "message": f"{action.replace('_', ' ')} needs the admin role."}, 403)
    try:
        discrepancy = discrepancy_get(merchant=request.merchant, mode=request.mode, discrepancy_id=discrepancy_id)
    except LipwaError as error:
        return page(request, "message.html", {"title": "Discrepancy not found", "message": error.message}, 404)
    attempt(request, lambda: resolve_discrepancy(discrepancy, action=action, actor=actor(request),
                                                 note=form.cleaned_data["note"]),
            lambda done: f"Discrepancy {done.id}: {done.status}.")
    return redirect("/dashboard/reconciliation/review")
