"""Pages of POLA: book a video consultation or buy call minutes, pay from a Tanzanian mobile wallet through
AzamPay, and see the consultation confirmed or the minutes credited once lipwa's webhook says it is paid."""

import secrets

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .catalogue import CALL_CREDITS, CONSULTATIONS, WALLETS, tzs
from .lipwa_api import client
from .models import CallCredit, Purchase


class PayerForm(forms.Form):
    phone = forms.RegexField(regex=r"^(\+?255|0)[67]\d{8}$",
                             error_messages={"invalid": "Enter a Tanzanian mobile number."})
    wallet = forms.ChoiceField(choices=WALLETS)

    def clean_phone(self):
        return "+255" + self.cleaned_data["phone"][-9:]


class ConsultationForm(PayerForm):
    specialty = forms.ChoiceField(choices=[(key, f"{name} — {tzs(price)}") for key, (name, price)
                                           in CONSULTATIONS.items()])


class CreditsForm(PayerForm):
    bundle = forms.ChoiceField(choices=[(key, f"{name} — {tzs(price)}") for key, (name, _, price)
                                        in CALL_CREDITS.items()])


def _index(request: HttpRequest, consultation=None, credits=None, error: str = "", status: int = 200):
    return render(request, "pola/index.html", {
        "consultation_form": consultation or ConsultationForm(), "credits_form": credits or CreditsForm(),
        "error": error}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@require_POST
def consultation_book(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        return _index(request, consultation=form, status=400)
    name, price = CONSULTATIONS[form.cleaned_data["specialty"]]
    return _purchase(request, form, kind=Purchase.CONSULTATION, item=form.cleaned_data["specialty"],
                     description=name, amount=price, minutes=0)


@require_POST
def credits_buy(request: HttpRequest) -> HttpResponse:
    form = CreditsForm(request.POST)
    if not form.is_valid():
        return _index(request, credits=form, status=400)
    name, minutes, price = CALL_CREDITS[form.cleaned_data["bundle"]]
    return _purchase(request, form, kind=Purchase.CREDITS, item=form.cleaned_data["bundle"], description=name,
                     amount=price, minutes=minutes)


def _purchase(request: HttpRequest, form: PayerForm, **fields) -> HttpResponse:
    """Record the purchase, then ask lipwa to push the payment prompt to the patient's wallet via AzamPay."""
    reference = f"POLA-{secrets.token_hex(4).upper()}"
    purchase = Purchase.objects.create(reference=reference, phone=form.cleaned_data["phone"],
                                       wallet=form.cleaned_data["wallet"], **fields)
    try:
        payment = client().payments.create(
            amount=purchase.amount, currency="TZS", method="mobile_money", provider="azampay",
            phone=purchase.phone, network=purchase.wallet, merchant_reference=reference,
            description=purchase.description, metadata={"purchase": reference, "kind": purchase.kind},
            idempotency_key=f"purchase-{reference}")
    except LipwaError as error:
        purchase.delete()
        return _index(request, error=f"The payment could not start: {error.message}", status=400)
    Purchase.objects.filter(id=purchase.id, payment_id="").update(payment_id=payment["id"])
    return redirect("purchase_detail", reference=reference)


@require_GET
def purchase_detail(request: HttpRequest, reference: str) -> HttpResponse:
    purchase = get_object_or_404(Purchase, reference=reference)
    credit = CallCredit.objects.filter(phone=purchase.phone).first()
    return render(request, "pola/purchase.html", {"purchase": purchase, "minutes": credit.minutes if credit else 0})
