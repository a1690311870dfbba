"""Back-office views of payments; state changes only ever happen through services (bulk actions call them)."""

from django.contrib import admin, messages

from lipwa.common.phones import mask_phone
from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column
from lipwa.dashboard.badges import badge_html

from .models import PaymentAttempt, PaymentEvent, PaymentIntent, Refund
from .selectors import open_attempts_of
from .services import attempt_sync, payment_review_clear

SYNC_BATCH_MAX = 50  # each sync is a gateway call made while the admin waits

PAYMENT_EXPORT_FIELDS = ("id", "merchant_id", "mode", "status", "amount_minor", "amount_refunded_minor", "currency",
                         "method", "provider", "network", "merchant_reference", "gateway_reference", "receipt_number",
                         "failure_code", "needs_review", "created_at", "succeeded_at")


@admin.register(PaymentIntent)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "status_badge", "review", "amount_minor", "currency", "provider",
                    "masked_phone", "created_at")
    list_filter = ("status", "needs_review", "provider", "method", "mode", "created_at")
    search_fields = ("id", "merchant_reference", "gateway_reference", "receipt_number", "merchant__name")
    date_hierarchy = "created_at"
    exclude = ("phone_e164", "customer")
    actions = ["retry_sync", "mark_reviewed", export_csv_action(PAYMENT_EXPORT_FIELDS, filename="payments")]

    status_badge = status_column()

    @admin.display(description="review", ordering="needs_review")
    def review(self, payment) -> str:
        return badge_html("needs_review") if payment.needs_review else ""

    @admin.display(description="phone")
    def masked_phone(self, payment) -> str:
        return mask_phone(payment.phone_e164)

    @admin.action(description="Retry sync: ask the gateway about open attempts now")
    def retry_sync(self, request, queryset):
        synced, failures = 0, []
        for payment_id in queryset.values_list("id", flat=True)[:SYNC_BATCH_MAX]:
            for attempt_id in open_attempts_of(payment_id=payment_id):
                try:
                    attempt_sync(attempt_id=attempt_id)
                    synced += 1
                except Exception as error:  # one broken attempt must not stop the batch; say which
                    failures.append(f"{attempt_id}: {error}")
        self.message_user(request, f"{synced} open attempt(s) synced (at most {SYNC_BATCH_MAX} payments a time).")
        if failures:
            self.message_user(request, "Not synced: " + "; ".join(failures[:10]), level=messages.ERROR)

    @admin.action(description="Mark reviewed (clear the needs-review flag)")
    def mark_reviewed(self, request, queryset):
        ids = list(queryset.filter(needs_review=True).values_list("id", flat=True))
        for payment_id in ids:
            payment_review_clear(payment_id=payment_id, reviewer=f"admin:{request.user.get_username()}")
        self.message_user(request, f"{len(ids)} payment(s) marked reviewed.")


@admin.register(PaymentAttempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("id", "payment", "connector", "status_badge", "gateway_reference", "outcome_unknown",
                    "sync_count", "next_sync_at")
    list_filter = ("status", "connector", "outcome_unknown")
    search_fields = ("id", "gateway_reference", "payment__id")
    status_badge = status_column()


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("id", "payment", "merchant", "status_badge", "amount_minor", "currency", "method",
                    "requested_by", "decided_by", "created_at")
    list_filter = ("status", "method", "mode", "created_at")
    search_fields = ("id", "payment__id", "gateway_reference", "requested_by", "decided_by")
    status_badge = status_column()
    actions = [export_csv_action(("id", "payment_id", "merchant_id", "mode", "status", "amount_minor", "currency",
                                  "method", "requested_by", "decided_by", "created_at", "succeeded_at"),
                                 filename="refunds")]


@admin.register(PaymentEvent)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "payment", "created_at")
    list_filter = ("type",)
    search_fields = ("id", "payment__id")
