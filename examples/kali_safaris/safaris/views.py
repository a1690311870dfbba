"""Pages of Kali Safaris: book a safari, pay in full or a 50 % deposit (then the balance) through Paynow, either
in a WhatsApp Flow sent to the customer or on the web."""

import secrets
from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .catalogue import CURRENCIES, SAFARIS, WALLETS, deposit_of
from .lipwa_api import client
from .models import Booking, Charge
from .whatsapp import flow_send

ZIMBABWE_MOBILE = r"^(\+?263|0)7[1-8]\d{7}$"


def zimbabwean_phone(value: str) -> str:
    return "+263" + value[-9:]


class BookingForm(forms.Form):
    safari = forms.ChoiceField(choices=[(key, name) for key, (name, _) in SAFARIS.items()])
    travel_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    travellers = forms.IntegerField(min_value=1, max_value=12)
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES])
    plan = forms.ChoiceField(choices=[("full", "Pay in full"), ("deposit", "50% deposit now, the balance later")],
                             widget=forms.RadioSelect)
    customer_name = forms.CharField(max_length=200)
    phone = forms.RegexField(regex=ZIMBABWE_MOBILE, label="WhatsApp number",
                             error_messages={"invalid": "Enter a Zimbabwean mobile number."})

    def clean_phone(self):
        return zimbabwean_phone(self.cleaned_data["phone"])

    def clean_travel_date(self):
        if self.cleaned_data["travel_date"] <= date.today():
            raise forms.ValidationError("Choose a date after today.")
        return self.cleaned_data["travel_date"]


class WalletForm(forms.Form):
    wallet = forms.ChoiceField(choices=WALLETS)
    phone = forms.RegexField(regex=ZIMBABWE_MOBILE, error_messages={"invalid": "Enter a Zimbabwean mobile number."})

    def clean_phone(self):
        return zimbabwean_phone(self.cleaned_data["phone"])


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "safaris/index.html", {"form": BookingForm(), "safaris": SAFARIS})


@require_POST
def booking_create(request: HttpRequest) -> HttpResponse:
    form = BookingForm(request.POST)
    if not form.is_valid():
        return render(request, "safaris/index.html", {"form": form, "safaris": SAFARIS}, status=400)
    data = form.cleaned_data
    name, prices = SAFARIS[data["safari"]]
    total = prices[data["currency"]] * data["travellers"]
    booking = Booking.objects.create(
        reference=f"KS-{secrets.token_hex(3).upper()}", safari=data["safari"], safari_name=name,
        travel_date=data["travel_date"], travellers=data["travellers"], currency=data["currency"], total=total,
        plan=data["plan"], customer_name=data["customer_name"], phone=data["phone"])
    part, amount = ("deposit", deposit_of(total)) if data["plan"] == "deposit" else ("full", total)
    try:
        _charge_request(request, booking, part, amount)
    except LipwaError as error:
        booking.delete()
        form.add_error(None, f"The payment could not be prepared: {error.message}")
        return render(request, "safaris/index.html", {"form": form, "safaris": SAFARIS}, status=400)
    return redirect("booking_detail", reference=booking.reference)


def _charge_request(request: HttpRequest, booking: Booking, part: str, amount: int) -> Charge:
    """A lipwa checkout session for the charge (its id is the WhatsApp Flow token), then the Flow message."""
    back = request.build_absolute_uri(reverse("booking_detail", args=[booking.reference]))
    session = client().checkout_sessions.create(
        amount=amount, currency=booking.currency, methods=["mobile_money"], return_url=back,
        merchant_reference=f"{booking.reference}-{part}", description=f"{booking.safari_name} ({part})",
        customer={"name": booking.customer_name, "phone": booking.phone},
        idempotency_key=f"session-{booking.reference}-{part}")
    charge, _ = Charge.objects.get_or_create(booking=booking, part=part, defaults={
        "amount": amount, "checkout_session_id": session["id"], "checkout_url": session["url"]})
    flow_send(charge)
    return charge


def _detail(request: HttpRequest, booking: Booking, *, error: str = "", wallet_form=None, status: int = 200):
    pending = booking.charges.filter(status=Charge.PENDING).first()
    return render(request, "safaris/booking.html", {
        "booking": booking, "charges": booking.charges.all(), "pending": pending, "error": error,
        "wallet_form": wallet_form or WalletForm(initial={"phone": booking.phone}),
        "balance_due": booking.status == Booking.DEPOSIT_PAID and not pending}, status=status)


@require_GET
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, get_object_or_404(Booking, reference=reference))


@require_POST
def balance_request(request: HttpRequest, reference: str) -> HttpResponse:
    booking = get_object_or_404(Booking, reference=reference, status=Booking.DEPOSIT_PAID)
    try:
        _charge_request(request, booking, "balance", booking.total - booking.amount_paid)
    except LipwaError as error:
        return _detail(request, booking, error=f"The payment could not be prepared: {error.message}", status=400)
    return redirect("booking_detail", reference=booking.reference)


@require_POST
def charge_pay_web(request: HttpRequest, charge_id: int) -> HttpResponse:
    """Pay a charge from this page, naming the wallet: the only way to InnBucks, which has no prefix."""
    charge = get_object_or_404(Charge.objects.select_related("booking"), id=charge_id, status=Charge.PENDING)
    booking = charge.booking
    form = WalletForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, wallet_form=form, status=400)
    try:
        client().payments.create(
            amount=charge.amount, currency=booking.currency, method="mobile_money", provider="paynow",
            phone=form.cleaned_data["phone"], network=form.cleaned_data["wallet"],
            merchant_reference=f"{booking.reference}-{charge.part}", description=booking.safari_name,
            metadata={"kali_charge": charge.checkout_session_id})
    except LipwaError as error:
        return _detail(request, booking, error=f"Paynow could not start the payment: {error.message}", status=400)
    return redirect("booking_detail", reference=booking.reference)
