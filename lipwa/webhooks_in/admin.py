"""Every gateway callback as received, including rejected and unmatched ones, for operators to inspect."""

from django.contrib import admin

from .models import InboundWebhook


@admin.register(InboundWebhook)
class InboundWebhookAdmin(admin.ModelAdmin):
    list_display = ("id", "connector", "connector_account", "status", "gateway_reference", "received_at",
                    "status_reason")
    list_filter = ("status", "connector")
    search_fields = ("id", "gateway_reference", "attempt_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
