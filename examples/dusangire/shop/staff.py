"""Staff pages: orders, riders for cash on delivery, bank-statement reconciliation.

They have no login here to keep the example short; put them behind your staff authentication."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .lipwa_api import client
from .models import Order

FORMATS = [("mt940", "MT940 (SWIFT)"), ("camt053", "camt.053 (ISO 20022)")]


class StatementForm(forms.Form):
    file = forms.FileField()
    format = forms.ChoiceField(choices=FORMATS)


class DispatchForm(forms.Form):
    rider_name = forms.CharField(max_length=200)
    rider_phone = forms.CharField(max_length=20, required=False)


class CollectForm(forms.Form):
    receipt_number = forms.CharField(max_length=100, help_text="The number on the rider's receipt book.")


def _orders(request: HttpRequest, *, error: str = "", statement: dict | None = None, status: int = 200):
    return render(request, "shop/staff.html", {
        "orders": Order.objects.all(), "statement_form": StatementForm(), "dispatch_form": DispatchForm(),
        "collect_form": CollectForm(), "error": error, "statement": statement}, status=status)


@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    return _orders(request)


@require_POST
def statement_upload(request: HttpRequest) -> HttpResponse:
    """Upload the bank's statement to lipwa and reconcile it: each transfer that quotes its order's reference is
    matched, its payment succeeds, and lipwa's webhook marks the order paid."""
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _orders(request, error="Choose a statement file and its format.", status=400)
    upload = form.cleaned_data["file"]
    try:
        statement = client().reconciliation.upload_statement(file=upload.read(), filename=upload.name,
                                                             format=form.cleaned_data["format"])
        statement = client().reconciliation.reconcile(statement["id"])
    except LipwaError as error:
        return _orders(request, error=f"lipwa refused the statement: {error.message}", status=400)
    return _orders(request, statement=statement)


@require_POST
def dispatch(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_object_or_404(Order, reference=reference, method="cash", status=Order.AWAITING)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        return _orders(request, error="Name the rider.", status=400)
    try:
        rider = client().riders.create(name=form.cleaned_data["rider_name"],
                                       phone=form.cleaned_data["rider_phone"] or None)
        client().payments.assign_rider(order.payment_id, rider["id"])
    except LipwaError as error:
        return _orders(request, error=f"lipwa refused the dispatch: {error.message}", status=400)
    order.rider_id = rider["id"]
    order.save(update_fields=["rider_id"])
    return redirect("staff_orders")


@require_POST
def collect(request: HttpRequest, reference: str) -> HttpResponse:
    """The rider was paid at the door: record it; lipwa's webhook then marks the order paid."""
    order = get_object_or_404(Order, reference=reference, method="cash", status=Order.AWAITING)
    form = CollectForm(request.POST)
    if not form.is_valid() or not order.rider_id:
        return _orders(request, error="Dispatch the order with a rider, then give the receipt number.", status=400)
    try:
        client().cash.collect(payment=order.payment_id, rider=order.rider_id, amount=order.total,
                              receipt_number=form.cleaned_data["receipt_number"])
    except LipwaError as error:
        return _orders(request, error=f"lipwa refused the collection: {error.message}", status=400)
    return redirect("staff_orders")
