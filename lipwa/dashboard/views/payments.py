"""Payments: filtered list, CSV export, detail with events, callbacks and ledger transfers, refund request."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from lipwa.common.errors import NotFound
from lipwa.common.money import Money
from lipwa.common.phones import mask_phone
from lipwa.payments.refunds import refund_create
from lipwa.payments.selectors import payment_events_list, payment_get

from ..forms import RefundRequestForm
from ..roles import role_at_least, staff_required
from ..selectors import PaymentFilters, payment_detail_extras, payment_providers, payments_search
from .common import actor, attempt, page

PAGE_SIZE = 50
# Refunds that count against what is still refundable (lipwa.payments.states.REFUND_ACTIVE).
REFUND_COMMITTED = ("requires_approval", "pending", "processing", "succeeded")
CSV_COLUMNS = ["id", "created_at", "status", "method", "provider", "network", "amount", "currency",
               "amount_refunded", "phone", "merchant_reference", "gateway_reference", "receipt_number",
               "failure_code"]


def _filters(request: HttpRequest):
    from ..forms import PaymentFilterForm

    form = PaymentFilterForm(request.GET or None,
                             providers=payment_providers(merchant=request.merchant, mode=request.mode))
    if not request.GET:
        return form, PaymentFilters()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, PaymentFilters(status=data["status"], method=data["method"], provider=data["provider"],
                                date_from=data["date_from"], date_to=data["date_to"], search=data["q"])


@require_GET
@staff_required("viewer")
def payments_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        return page(request, "payments.html", {"form": form, "page": None, "section": "payments"}, status=400)
    queryset = payments_search(merchant=request.merchant, mode=request.mode, filters=filters)
    current = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "payments.html", {"form": form, "page": current, "query": query.urlencode(),
                                           "section": "payments"})


def _csv_safe(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading ' keeps them text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@staff_required("viewer")
def payments_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, every matching row (streamed). Phone numbers are masked, as in the list."""
    form, filters = _filters(request)
    if filters is None:
        return page(request, "payments.html", {"form": form, "page": None, "section": "payments"}, status=400)
    queryset = payments_search(merchant=request.merchant, mode=request.mode, filters=filters)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for p in queryset.iterator(chunk_size=500):
            yield writer.writerow([_csv_safe(v) for v in (
                p.id, p.created_at.isoformat(), p.status, p.method, p.provider, p.network,
                Money(p.amount_minor, p.currency).major_string(), p.currency,
                Money(p.amount_refunded_minor, p.currency).major_string(), mask_phone(p.phone_e164),
                p.merchant_reference, p.gateway_reference, p.receipt_number, p.failure_code)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{request.mode}.csv"'
    return response


@require_GET
@staff_required("viewer")
def payment_detail(request: HttpRequest, payment_id: str) -> HttpResponse:
    try:
        payment = payment_get(merchant=request.merchant, mode=request.mode, payment_id=payment_id)
    except NotFound:
        return page(request, "message.html", {"title": "Payment not found",
                                              "message": f"No payment {payment_id} in {request.mode} mode."}, 404)
    return page(request, "payment_detail.html", _detail_context(request, payment))


def _detail_context(request: HttpRequest, payment, refund_form: RefundRequestForm | None = None) -> dict:
    operator = role_at_least(request.membership.role, "operator")
    extras = payment_detail_extras(payment=payment)
    committed = sum(r.amount_minor for r in extras["refunds"] if r.status in REFUND_COMMITTED)
    return {"payment": payment, "events": payment_events_list(payment=payment), **extras,
            "phone": payment.phone_e164 if operator else mask_phone(payment.phone_e164), "show_raw": operator,
            "refund_form": refund_form or RefundRequestForm(currency=payment.currency),
            "refundable": payment.amount_minor - committed if payment.status == "succeeded" else 0,
            "section": "payments"}


@require_POST
@staff_required("operator")
def payment_refund(request: HttpRequest, payment_id: str) -> HttpResponse:
    try:
        payment = payment_get(merchant=request.merchant, mode=request.mode, payment_id=payment_id)
    except NotFound:
        return page(request, "message.html", {"title": "Payment not found", "message": f"No payment {payment_id}."},
                    404)
    form = RefundRequestForm(request.POST, currency=payment.currency)
    if not form.is_valid():
        return page(request, "payment_detail.html", _detail_context(request, payment, form), status=400)
    attempt(request, lambda: refund_create(merchant=request.merchant, mode=request.mode, payment_id=payment.id,
                                           amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                                           requested_by=actor(request)),
            lambda refund: f"Refund {refund.id} requested: {refund.status.replace('_', ' ')}.")
    return redirect(f"/dashboard/payments/{payment.id}")
