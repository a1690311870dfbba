"""Dashboard staff memberships in the back office. Roles are granted with `manage.py staff_create` (which also
creates the user) or here; every change of a membership is a plain row edit by platform staff. Statement
uploads are shown read-only (their state belongs to the import task)."""

from django.contrib import admin

from .admin_tools import ReadOnlyAdmin, status_column
from .models import StaffMembership, StatementUpload


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__username", "merchant__id", "merchant__name")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("merchant",)

    def save_model(self, request, obj, form, change):
        from lipwa.common import clock

        if obj.created_at is None:
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(StatementUpload)
class StatementUploadAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "filename", "format", "status_badge", "statement_id", "uploaded_by",
                    "created_at", "finished_at")
    list_filter = ("status", "format", "mode")
    search_fields = ("id", "filename", "statement_id", "merchant__name")
    date_hierarchy = "created_at"
    status_badge = status_column()
