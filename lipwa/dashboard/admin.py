"""Dashboard staff memberships in the back office. Roles are granted with `manage.py staff_create` (which also
creates the user) or here; every change of a membership is a plain row edit by platform staff."""

from django.contrib import admin

from .models import StaffMembership


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
