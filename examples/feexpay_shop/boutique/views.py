"""Pages of Boutique Sika: the customer chooses a country, the shop asks lipwa how one can pay there through
FeexPay (each country's mobile-money networks, and cards), and the order is paid the chosen way."""

import secrets

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .catalogue import COUNTRIES, PRODUCTS, xof
from .lipwa_api import client
from .models import Order


def ways_to_pay(country: str) -> dict[str, dict]:
    """FeexPay's catalogue for `country` as lipwa serves it: its mobile-money networks plus cards, in XOF."""
    providers = client().providers.list(country=country)
    feexpay = next((p for p in providers if p["id"] == "feexpay" and p["configured"]), None)
    return {entry["id"]: entry for entry in (feexpay or {}).get("catalogue", []) if entry["currency"] == "XOF"
            and entry["country"] in (country, None)}


class OrderForm(forms.Form):
    customer_name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=20, required=False, help_text="For mobile money, without the country code.")
    way_to_pay = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, country: str, ways: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.country, self.ways = country, ways
        self.fields["way_to_pay"].choices = [(key, way["name"]) for key, way in ways.items()]
        for sku, (name, price) in PRODUCTS.items():
            self.fields[f"qty_{sku}"] = forms.IntegerField(min_value=0, max_value=50, initial=0,
                                                           label=f"{name} ({xof(price)})")

    def clean(self):
        data = super().clean()
        if not any(data.get(f"qty_{sku}") for sku in PRODUCTS):
            raise forms.ValidationError("Choisissez au moins un article.")
        way = self.ways.get(data.get("way_to_pay"))
        if way and way["method"] == "mobile_money":
            _, calling_code, digits = COUNTRIES[self.country]
            national = "".join(ch for ch in data.get("phone", "") if ch.isdigit())
            if len(national) != digits:
                self.add_error("phone", f"Un numéro de {COUNTRIES[self.country][0]} a {digits} chiffres.")
            data["phone"] = f"+{calling_code}{national}"
        return data


def _country(request: HttpRequest) -> str | None:
    country = (request.GET.get("country") or request.POST.get("country") or "").upper()
    return country if country in COUNTRIES else None


def _page(request: HttpRequest, country: str | None, form: OrderForm | None = None, error: str = "",
          status: int = 200) -> HttpResponse:
    if country and form is None:
        try:
            form = OrderForm(country=country, ways=ways_to_pay(country))
        except LipwaError as failure:
            error = f"lipwa is unreachable: {failure.message}"
    return render(request, "boutique/index.html", {"countries": COUNTRIES, "country": country, "form": form,
                                                   "error": error}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, _country(request))


@require_POST
def order_create(request: HttpRequest) -> HttpResponse:
    country = _country(request)
    if country is None:
        return _page(request, None, error="Choisissez votre pays.", status=400)
    try:
        ways = ways_to_pay(country)
    except LipwaError as failure:
        return _page(request, country, error=f"lipwa is unreachable: {failure.message}", status=502)
    form = OrderForm(request.POST, country=country, ways=ways)
    if not form.is_valid():
        return _page(request, country, form=form, status=400)
    data, way = form.cleaned_data, ways[form.cleaned_data["way_to_pay"]]
    lines = [{"sku": sku, "name": name, "quantity": data[f"qty_{sku}"], "unit_amount": price}
             for sku, (name, price) in PRODUCTS.items() if data[f"qty_{sku}"]]
    order = Order.objects.create(
        reference=f"SIKA-{secrets.token_hex(3).upper()}", customer_name=data["customer_name"], email=data["email"],
        country=country, way_to_pay=way["id"], way_to_pay_name=way["name"], lines=lines,
        phone=data["phone"] if way["method"] == "mobile_money" else "",
        total=sum(line["quantity"] * line["unit_amount"] for line in lines))
    return _pay(request, order, way)


def _pay(request: HttpRequest, order: Order, way: dict) -> HttpResponse:
    params = {"amount": order.total, "currency": "XOF", "method": way["method"], "provider": "feexpay",
              "customer": {"name": order.customer_name, **({"email": order.email} if order.email else {})},
              "merchant_reference": order.reference, "description": f"Boutique Sika {order.reference}",
              "metadata": {"order": order.reference}, "idempotency_key": f"order-{order.reference}"}
    if way["method"] == "mobile_money":
        params.update(phone=order.phone, network=way["network"])  # the network the customer chose, not a guess
    else:
        params.update(return_url=request.build_absolute_uri(reverse("order_detail", args=[order.reference])))
    try:
        payment = client().payments.create(**params)
    except LipwaError as error:
        order.delete()
        return _page(request, order.country, error=f"Le paiement n'a pas pu démarrer : {error.message}",
                     status=400)
    Order.objects.filter(id=order.id, payment_id="").update(payment_id=payment["id"])
    if way["method"] == "card":
        return redirect(payment["next_action"]["url"])
    return redirect("order_detail", reference=order.reference)


@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "boutique/order.html", {"order": get_object_or_404(Order, reference=reference)})
