"""Statements and discrepancies, read-only: imports, matching and resolutions go through the services."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, status_column

from .models import Discrepancy, Statement


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "format", "source", "currency", "filename", "imported_at")
    list_filter = ("format", "mode", "currency")
    search_fields = ("id", "filename", "source", "merchant__name")


@admin.register(Discrepancy)
class DiscrepancyAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "kind", "status_badge", "statement", "payment", "created_at")
    list_filter = ("status", "kind", "mode")
    search_fields = ("id", "statement__id", "payment__id")
    status_badge = status_column()
