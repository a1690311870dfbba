"""Hosted checkout sessions, read-only (created through the API)."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin

from .models import CheckoutSession


@admin.register(CheckoutSession)
class CheckoutSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "amount_minor", "currency", "merchant_reference", "payment",
                    "expires_at", "created_at")
    list_filter = ("mode", "currency")
    search_fields = ("id", "merchant_reference", "payment__id", "merchant__name")
    exclude = ("customer",)
