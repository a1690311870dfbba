"""Who did what (refund approvals, credential changes, staff grants): read-only, as an audit trail must be."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "merchant_id", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("merchant_id", "actor", "object_id")
    date_hierarchy = "created_at"
    actions = [export_csv_action(("created_at", "merchant_id", "actor", "action", "object_type", "object_id",
                                  "details"), filename="audit")]
