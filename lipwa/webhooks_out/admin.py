"""Merchant webhook endpoints and deliveries; signing secrets are never shown. Replay goes through the service."""

from django.contrib import admin, messages

from lipwa.common.errors import LipwaError
from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import webhook_delivery_replay

REPLAY_BATCH_MAX = 200


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "url", "status_badge", "failing_since", "disabled_at", "deleted_at")
    list_filter = ("status", "mode")
    search_fields = ("id", "url", "merchant__name")
    exclude = ("secrets_encrypted",)
    status_badge = status_column()


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("attempted_at", "succeeded", "status_code", "error", "latency_ms", "response_excerpt")
    readonly_fields = fields
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "endpoint", "event_id", "event_type", "status_badge", "attempts_count", "next_attempt_at",
                    "last_status_code", "last_error")
    list_filter = ("status", "event_type")
    search_fields = ("id", "event__id", "endpoint__id")
    exclude = ("claim_token",)
    inlines = [WebhookAttemptInline]
    status_badge = status_column()
    actions = ["replay", export_csv_action(("id", "endpoint_id", "event_id", "event_type", "status", "attempts_count",
                                            "last_status_code", "last_error", "created_at", "succeeded_at"),
                                           filename="webhook-deliveries")]

    @admin.action(description="Replay: send again with a fresh retry window")
    def replay(self, request, queryset):
        replayed, refused = 0, []
        for delivery_id in queryset.values_list("id", flat=True)[:REPLAY_BATCH_MAX]:
            try:
                webhook_delivery_replay(delivery_id=delivery_id)
                replayed += 1
            except LipwaError as error:
                refused.append(f"{delivery_id}: {error.message}")
        self.message_user(request, f"{replayed} delivery(ies) queued again.")
        if refused:
            self.message_user(request, "Not replayed: " + "; ".join(refused[:10]), level=messages.ERROR)
