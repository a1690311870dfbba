"""Riders, cash-ups and cash discrepancies, read-only: cash is recorded and resolved through lipwa.cash services."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, status_column

from .models import CashDiscrepancy, CashUp, Rider


@admin.register(Rider)
class RiderAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "name", "created_at")
    list_filter = ("mode",)
    search_fields = ("id", "name", "merchant__name")
    exclude = ("phone",)


@admin.register(CashUp)
class CashUpAdmin(ReadOnlyAdmin):
    list_display = ("id", "rider", "currency", "status_badge", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("id", "rider__id", "rider__name")
    status_badge = status_column()


@admin.register(CashDiscrepancy)
class CashDiscrepancyAdmin(ReadOnlyAdmin):
    list_display = ("id", "amount_minor", "status_badge", "created_at")
    list_filter = ("status",)
    search_fields = ("id",)
    status_badge = status_column()
