"""Every gateway callback as received, including rejected and unmatched ones, for operators to inspect."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column

from .models import InboundWebhook


@admin.register(InboundWebhook)
class InboundWebhookAdmin(ReadOnlyAdmin):
    list_display = ("id", "connector", "connector_account", "status_badge", "gateway_reference", "received_at",
                    "status_reason")
    list_filter = ("status", "connector", "received_at")
    search_fields = ("id", "gateway_reference", "attempt_id")
    date_hierarchy = "received_at"
    status_badge = status_column()
    actions = [export_csv_action(("id", "connector", "connector_account_id", "status", "status_reason",
                                  "gateway_reference", "attempt_id", "received_at", "processed_at"),
                                 filename="gateway-callbacks")]
