"""What every lipwa admin page shares: read-only model admins, colour-coded status columns (the same badges
as the dashboard) and a CSV export action. Staff change state only through services, never by editing rows."""

from __future__ import annotations

import csv

from django.contrib import admin
from django.http import HttpResponse

from .badges import badge_html

EXPORT_ROWS_MAX = 10_000


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def status_column(field: str = "status", description: str = "status"):
    """A list column that shows `field` as a coloured badge and sorts by it."""
    @admin.display(description=description, ordering=field)
    def column(self, obj) -> str:
        return badge_html(getattr(obj, field))

    column.__name__ = f"{field}_badge"
    return column


def csv_value(value: object) -> str:
    """Cells starting with = + - @ would run as spreadsheet formulas; a leading ' keeps them text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv_action(fields: tuple[str, ...], *, filename: str):
    """An admin action exporting the selected rows' `fields` (no secrets are ever among them)."""
    @admin.action(description="Export selected to CSV")
    def export(modeladmin, request, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        writer = csv.writer(response)
        writer.writerow(fields)
        for obj in queryset[:EXPORT_ROWS_MAX]:
            writer.writerow([csv_value(getattr(obj, name)) for name in fields])
        return response

    return export
