"""Payouts, read-only: created, held and settled through lipwa.payouts services."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column

from .models import Payout


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "connector", "status_badge", "amount_minor", "currency",
                    "requested_by", "created_at")
    list_filter = ("status", "connector", "mode", "currency")
    search_fields = ("id", "gateway_reference", "merchant_reference", "merchant__name")
    status_badge = status_column()
    actions = [export_csv_action(("id", "merchant_id", "mode", "connector", "status", "amount_minor", "currency",
                                  "gateway_reference", "failure_code", "created_at", "succeeded_at"),
                                 filename="payouts")]
