"""Read-only back-office views of payments; state changes only ever happen through services."""

from django.contrib import admin

from .models import PaymentAttempt, PaymentEvent, PaymentIntent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentIntent)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "status", "amount_minor", "currency", "provider", "needs_review",
                    "created_at")
    list_filter = ("status", "provider", "mode", "needs_review")
    search_fields = ("id", "merchant_reference", "gateway_reference", "receipt_number")


@admin.register(PaymentAttempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("id", "payment", "connector", "status", "gateway_reference", "outcome_unknown", "sync_count",
                    "next_sync_at")
    list_filter = ("status", "connector", "outcome_unknown")
    search_fields = ("id", "gateway_reference", "payment__id")


@admin.register(PaymentEvent)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "payment", "created_at")
    list_filter = ("type",)
    search_fields = ("id", "payment__id")
