"""Read-only views of merchant webhook endpoints and deliveries; signing secrets are never shown."""

from django.contrib import admin

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "url", "status", "failing_since", "disabled_at", "deleted_at")
    list_filter = ("status", "mode")
    search_fields = ("id", "url")
    exclude = ("secrets_encrypted",)


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
    list_display = ("id", "endpoint", "event_id", "event_type", "status", "attempts_count", "next_attempt_at",
                    "last_status_code", "last_error")
    list_filter = ("status",)
    search_fields = ("id", "event__id", "endpoint__id")
    exclude = ("claim_token",)
    inlines = [WebhookAttemptInline]
