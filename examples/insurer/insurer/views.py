"""Pages of the insurer: take out a policy (its premium becomes a lipwa payment schedule), pay instalments by
M-Pesa STK push or by card on Paystack's page, download receipts, see the payment history."""

import secrets
from datetime import date, timedelta

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from lipwa_sdk import LipwaError

from .lipwa_api import client
from .models import Policy, Premium, PremiumPayment

COVERS = [("motor", "Motor — private car"), ("health", "Health — family"), ("home", "Home contents")]
INSTALMENTS = [(1, "Annually"), (3, "Every 4 months"), (12, "Monthly")]


class PolicyForm(forms.Form):
    holder_name = forms.CharField(max_length=200)
    phone = forms.RegexField(regex=r"^(\+?254|0)7\d{8}$", error_messages={"invalid": "Enter a Kenyan mobile number."})
    email = forms.EmailField()
    cover = forms.ChoiceField(choices=COVERS)
    annual_premium_kes = forms.IntegerField(min_value=100, max_value=10_000_000, label="Annual premium (KES)")
    instalments = forms.TypedChoiceField(choices=INSTALMENTS, coerce=int)


class MpesaForm(forms.Form):
    phone = forms.RegexField(regex=r"^(\+?254|0)[17]\d{8}$", error_messages={"invalid": "Enter an M-Pesa number."})


def due_dates(count: int, start: date) -> list[str]:
    """The first instalment is due in a week, the rest spread over the year."""
    step = 365 // count
    return [(start + timedelta(days=7 + step * n)).isoformat() for n in range(count)]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "insurer/index.html", {"form": PolicyForm(), "policies": Policy.objects.order_by("-id")})


@require_POST
def policy_create(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return render(request, "insurer/index.html", {"form": form, "policies": Policy.objects.order_by("-id")},
                      status=400)
    data = form.cleaned_data
    number = f"POL-{secrets.token_hex(3).upper()}"
    try:
        schedule = client().schedules.create(
            currency="KES", total=data["annual_premium_kes"] * 100, description=f"Premium {number}",
            customer={"name": data["holder_name"], "phone": data["phone"], "email": data["email"]},
            instalments=[{"due_date": d} for d in due_dates(data["instalments"], date.today())],
            idempotency_key=f"schedule-{number}")
    except LipwaError as error:
        form.add_error(None, f"lipwa refused the premium schedule: {error.message}")
        return render(request, "insurer/index.html", {"form": form, "policies": Policy.objects.order_by("-id")},
                      status=400)
    with transaction.atomic():
        policy = Policy.objects.create(
            number=number, holder_name=data["holder_name"], phone=data["phone"], email=data["email"],
            cover=dict(COVERS)[data["cover"]], annual_premium=schedule["total"], schedule_id=schedule["id"])
        for invoice in schedule["instalments"]:
            Premium.objects.create(policy=policy, instalment=invoice["instalment"], invoice_id=invoice["id"],
                                   invoice_number=invoice["number"], amount=invoice["total"],
                                   due_date=date.fromisoformat(invoice["due_date"]))
    return redirect("policy_detail", number=policy.number)


def _policy_page(request: HttpRequest, policy: Policy, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "insurer/policy.html", {
        "policy": policy, "premiums": policy.premiums.all(), "mpesa_form": MpesaForm(initial={"phone": policy.phone}),
        "payments": PremiumPayment.objects.filter(premium__policy=policy).select_related("premium"),
        "error": error, "card_returned": "reference" in request.GET}, status=status)


@require_GET
def policy_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _policy_page(request, get_object_or_404(Policy, number=number))


def _premium(premium_id: int) -> Premium:
    return get_object_or_404(Premium.objects.select_related("policy"), id=premium_id)


def _already_paid(request: HttpRequest, premium: Premium) -> HttpResponse:
    return _policy_page(request, premium.policy, error=f"Instalment {premium.instalment} is already paid.",
                        status=409)


def _record(premium: Premium, payment: dict) -> None:
    # get_or_create: lipwa's webhook for this payment may already have been processed.
    PremiumPayment.objects.get_or_create(lipwa_id=payment["id"], defaults={
        "premium": premium, "method": payment["method"], "amount": payment["amount"], "status": payment["status"],
        "failure_code": payment.get("failure_code") or ""})


@require_POST
def premium_pay_mpesa(request: HttpRequest, premium_id: int) -> HttpResponse:
    """An STK push to the phone: the customer approves it on the handset; the webhook tells us the outcome."""
    premium = _premium(premium_id)
    if premium.paid_at is not None:
        return _already_paid(request, premium)
    form = MpesaForm(request.POST)
    if not form.is_valid():
        return _policy_page(request, premium.policy, error=form.errors["phone"][0], status=400)
    try:
        payment = client().invoices.pay(premium.invoice_id, method="mobile_money", provider="mpesa",
                                        phone=form.cleaned_data["phone"], amount=premium.amount)
    except LipwaError as error:
        return _policy_page(request, premium.policy, error=error.message, status=400)
    _record(premium, payment)
    return redirect("policy_detail", number=premium.policy.number)


@require_POST
def premium_pay_card(request: HttpRequest, premium_id: int) -> HttpResponse:
    """A card payment on Paystack's hosted page. `metadata.invoice` makes lipwa count it towards the instalment's
    invoice, exactly as `invoices.pay` does; the customer comes back to the policy page."""
    premium = _premium(premium_id)
    if premium.paid_at is not None:
        return _already_paid(request, premium)
    policy = premium.policy
    back = request.build_absolute_uri(reverse("policy_detail", args=[policy.number]))
    try:
        payment = client().payments.create(
            amount=premium.amount, currency="KES", method="card", provider="paystack",
            customer={"name": policy.holder_name, "email": policy.email}, return_url=back,
            merchant_reference=premium.invoice_number, description=f"{policy.cover}, instalment {premium.instalment}",
            metadata={"invoice": premium.invoice_id, "policy": policy.number})
    except LipwaError as error:
        return _policy_page(request, policy, error=error.message, status=400)
    _record(premium, payment)
    return redirect(payment["next_action"]["url"])


@require_GET
def receipt(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = get_object_or_404(PremiumPayment, lipwa_id=payment_id, status="succeeded")
    try:
        pdf = client().payments.receipt(payment.lipwa_id)
    except LipwaError as error:
        return HttpResponse(f"lipwa could not produce the receipt: {error.message}", status=502)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.receipt_number or payment.lipwa_id}.pdf"'
    return response


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    payments = PremiumPayment.objects.select_related("premium__policy")
    return render(request, "insurer/history.html", {"payments": payments})
