"""Dashboard forms. Every field has a label; secrets are password inputs that never render their value."""

from __future__ import annotations

from django import forms

from lipwa.common.money import CurrencyError, Money
from lipwa.connectors.types import CredentialField

from .models import Role

PAYMENT_STATUSES = ["pending", "requires_action", "processing", "succeeded", "failed", "cancelled", "expired"]
PAYMENT_METHODS = ["mobile_money", "card", "bank_transfer", "cash"]
SEARCH_LENGTH_MAX = 100


def _choices(values: list[str], blank: str = "Any") -> list[tuple[str, str]]:
    return [("", blank)] + [(v, v.replace("_", " ")) for v in values]


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=_choices(PAYMENT_STATUSES))
    method = forms.ChoiceField(label="Method", required=False, choices=_choices(PAYMENT_METHODS))
    provider = forms.ChoiceField(label="Provider", required=False)
    date_from = forms.DateField(label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="Phone or reference", required=False, max_length=SEARCH_LENGTH_MAX,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "0712… or order-42"}))

    def __init__(self, *args, providers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = _choices(providers)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class RefundRequestForm(forms.Form):
    amount = forms.CharField(label="Amount to refund", required=False, max_length=24,
                             help_text="In major units (e.g. 150.50). Leave blank to refund everything refundable.")
    reason = forms.CharField(label="Reason", required=False, max_length=500)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int | None:
        text = self.cleaned_data["amount"].strip().replace(",", "")
        if not text:
            return None
        try:
            amount = Money.from_major(text, self.currency).amount_minor
        except (CurrencyError, ValueError, ArithmeticError):
            raise forms.ValidationError(f"Enter an amount in {self.currency}, such as 150.50.") from None
        if amount <= 0:
            raise forms.ValidationError("The amount must be more than zero.")
        return amount


class RefundRejectForm(forms.Form):
    note = forms.CharField(label="Why is it rejected?", required=False, max_length=300)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label="Key name", max_length=100, required=False,
                           help_text="What uses it, e.g. 'shop backend'.")


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=2000, assume_scheme="https")
    enabled_events = forms.CharField(label="Event types", initial="*", max_length=2000,
                                     help_text="Comma-separated, e.g. payment.succeeded, refund.succeeded; * for all.")
    description = forms.CharField(label="Description", required=False, max_length=500)

    def clean_enabled_events(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["enabled_events"].split(",") if t.strip()]


class StaffForm(forms.Form):
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(label="Role", choices=Role.choices)


def credential_form_class(fields: tuple[CredentialField, ...]) -> type[forms.Form]:
    """A form built from a connector's `CREDENTIAL_FIELDS`: labels, help and defaults come from the connector,
    and secret fields are password inputs that never echo what was typed."""
    attributes: dict[str, forms.Field] = {
        "account_name": forms.CharField(label="Account name", max_length=100, required=False,
                                        help_text="Your own name for this account, e.g. 'Main paybill'."),
    }
    for field in fields:
        widget = (forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}) if field.secret
                  else forms.TextInput(attrs={"autocomplete": "off"}))
        help_text = field.help_text + (f" Default: {field.default}." if field.default and not field.secret else "")
        attributes[f"cred_{field.name}"] = forms.CharField(
            label=field.label, required=field.required and not field.default, max_length=4000, widget=widget,
            help_text=help_text.strip())
    return type("CredentialForm", (forms.Form,), attributes)


def credentials_from(form: forms.Form) -> dict[str, str]:
    return {name.removeprefix("cred_"): value for name, value in form.cleaned_data.items()
            if name.startswith("cred_") and value}


class StatementUploadForm(forms.Form):
    file = forms.FileField(label="Statement file", help_text="Up to 1 GiB; the file is streamed to disk, "
                                                             "then imported line by line.")
    format = forms.ChoiceField(label="Format")
    preset = forms.CharField(label="Bank preset", required=False, max_length=40,
                             help_text="Only for a bank CSV, e.g. equity_ke or ecobank_xof.")
    currency = forms.CharField(label="Currency", required=False, max_length=3,
                               help_text="ISO 4217, when the file does not say (e.g. KES).")

    def __init__(self, *args, formats: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = formats

    def clean_currency(self) -> str | None:
        return self.cleaned_data["currency"].strip().upper() or None

    def clean_preset(self) -> str | None:
        return self.cleaned_data["preset"].strip() or None


class DiscrepancyActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=[("mark_reviewed", "Mark reviewed"),
                                                        ("accept_statement", "Accept the statement's figure"),
                                                        ("write_off", "Write off")])
    note = forms.CharField(label="Note", required=False, max_length=1000,
                           help_text="Required for a write-off.")
