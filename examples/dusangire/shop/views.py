"""The shop: place an order (a lipwa invoice), pay it by MTN MoMo, Airtel Money, bank transfer, card or cash on
delivery, download the invoice. Staff pages dispatch riders, record cash and reconcile bank statements."""

import secrets
from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .catalogue import METHODS, PRODUCTS
from .lipwa_api import client
from .models import Order

RWANDAN_MOBILE = r"^(\+?250|0)7[2389]\d{7}$"


def rwandan_phone(value: str) -> str:
    """07XXXXXXXX or 2507… → +2507…: the international form lipwa reads whatever the currency (a USD card
    invoice says nothing about the country)."""
    return "+250" + value[-9:]


class OrderForm(forms.Form):
    customer_name = forms.CharField(max_length=200)
    phone = forms.RegexField(regex=RWANDAN_MOBILE, error_messages={"invalid": "Enter a Rwandan mobile number."})
    email = forms.EmailField(required=False, help_text="Needed for card payments.")
    address = forms.CharField(max_length=300)
    method = forms.ChoiceField(choices=[(key, label) for key, (label, _, _) in METHODS.items()],
                               widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for product in PRODUCTS.values():
            self.fields[f"qty_{product.sku}"] = forms.IntegerField(min_value=0, max_value=20, initial=0,
                                                                   label=product.name)

    def clean_phone(self):
        return rwandan_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if not any(data.get(f"qty_{sku}") for sku in PRODUCTS):
            raise forms.ValidationError("Choose at least one item.")
        if data.get("method") == "card" and not data.get("email"):
            self.add_error("email", "A card payment needs an email address.")
        return data


class PhoneForm(forms.Form):
    phone = forms.RegexField(regex=RWANDAN_MOBILE, error_messages={"invalid": "Enter a Rwandan mobile number."})

    def clean_phone(self):
        return rwandan_phone(self.cleaned_data["phone"])


def _lines(data: dict, currency: str) -> list[dict]:
    return [{"sku": p.sku, "name": p.name, "quantity": data[f"qty_{p.sku}"],
             "unit_amount": p.price_usd_cents if currency == "USD" else p.price_rwf}
            for p in PRODUCTS.values() if data[f"qty_{p.sku}"]]


def _index(request: HttpRequest, form: OrderForm, status: int = 200) -> HttpResponse:
    return render(request, "shop/index.html", {"form": form, "products": PRODUCTS.values()}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, OrderForm())


@require_POST
def order_create(request: HttpRequest) -> HttpResponse:
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _index(request, form, status=400)
    data = form.cleaned_data
    currency = "USD" if data["method"] == "card" else "RWF"
    reference = f"DSG-{secrets.token_hex(3).upper()}"
    lines = _lines(data, currency)
    customer = {"name": data["customer_name"], "phone": data["phone"]}
    if data["email"]:
        customer["email"] = data["email"]
    try:
        invoice = client().invoices.create(
            currency=currency, due_date=(date.today() + timedelta(days=3)).isoformat(), customer=customer,
            description=f"Order {reference}", idempotency_key=f"invoice-{reference}",
            lines=[{"description": line["name"], "quantity": line["quantity"], "unit_amount": line["unit_amount"]}
                   for line in lines])
        invoice = client().invoices.issue(invoice["id"], idempotency_key=f"issue-{reference}")
    except LipwaError as error:
        form.add_error(None, f"lipwa refused the invoice: {error.message}")
        return _index(request, form, status=400)
    order = Order.objects.create(
        reference=reference, customer_name=data["customer_name"], phone=data["phone"], email=data["email"],
        address=data["address"], lines=lines, currency=currency, total=invoice["total"], method=data["method"],
        invoice_id=invoice["id"], invoice_number=invoice["number"])
    return _pay(request, order)


def _pay(request: HttpRequest, order: Order) -> HttpResponse:
    """Start a payment for the order's invoice; card customers go to the card page, the rest to the order."""
    _, method, provider = METHODS[order.method]
    try:
        if order.method == "card":
            back = request.build_absolute_uri(reverse("order_detail", args=[order.reference]))
            payment = client().payments.create(
                amount=order.total, currency=order.currency, method="card", provider=provider, return_url=back,
                customer={"name": order.customer_name, "email": order.email}, merchant_reference=order.invoice_number,
                description=f"Order {order.reference}", metadata={"invoice": order.invoice_id})
        else:
            payment = client().invoices.pay(order.invoice_id, method=method, provider=provider,
                                            phone=order.phone if method == "mobile_money" else None)
    except LipwaError as error:
        order.status, order.failure_code = Order.FAILED, error.code or error.type
        order.save(update_fields=["status", "failure_code"])
        return redirect("order_detail", reference=order.reference)
    # A webhook may already have settled the order (a fast gateway): keep what it said.
    Order.objects.filter(id=order.id, status__in=[Order.AWAITING, Order.FAILED]).update(
        payment_id=payment["id"], status=Order.AWAITING, failure_code="",
        instructions=payment["next_action"] if order.method == "bank_transfer" else None)
    if order.method == "card":
        return redirect(payment["next_action"]["url"])
    return redirect("order_detail", reference=order.reference)


@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_object_or_404(Order, reference=reference)
    return render(request, "shop/order.html", {"order": order, "method_label": METHODS[order.method][0],
                                               "phone_form": PhoneForm(initial={"phone": order.phone})})


@require_POST
def order_retry(request: HttpRequest, reference: str) -> HttpResponse:
    """After a failed mobile-money payment: try again, perhaps from another number."""
    order = get_object_or_404(Order, reference=reference, status=Order.FAILED)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return render(request, "shop/order.html", {"order": order, "method_label": METHODS[order.method][0],
                                                   "phone_form": form}, status=400)
    order.phone = form.cleaned_data["phone"]
    order.save(update_fields=["phone"])
    return _pay(request, order)


@require_GET
def invoice_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_object_or_404(Order, reference=reference)
    try:
        pdf = client().invoices.pdf(order.invoice_id)
    except LipwaError as error:
        return HttpResponse(f"lipwa could not produce the invoice: {error.message}", status=502)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.invoice_number}.pdf"'
    return response
