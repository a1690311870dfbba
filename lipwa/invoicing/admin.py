"""Invoices and schedules, read-only: numbering and payments go through lipwa.invoicing services."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column

from .models import Invoice, Schedule


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("id", "number", "merchant", "mode", "status_badge", "currency", "created_at", "issued_at")
    list_filter = ("status", "mode", "currency")
    search_fields = ("id", "number", "merchant__name")
    status_badge = status_column()
    actions = [export_csv_action(("id", "number", "merchant_id", "mode", "status", "currency", "created_at",
                                  "issued_at", "paid_at", "voided_at"), filename="invoices")]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "currency", "description", "created_at")
    list_filter = ("mode", "currency")
    search_fields = ("id", "description", "merchant__name")
