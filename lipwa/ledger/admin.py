"""The double-entry ledger, read-only: transfers are append-only and a correction is a new transfer."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin, export_csv_action, status_column

from .models import LedgerAccount, Transfer


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "currency", "kind", "reference", "debits_posted", "credits_posted",
                    "debits_pending", "credits_pending")
    list_filter = ("kind", "mode", "currency")
    search_fields = ("id", "reference", "merchant__name")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("id", "code", "status_badge", "amount_minor", "currency", "debit_account", "credit_account",
                    "payment_id", "refund_id", "created_at")
    list_filter = ("code", "status", "currency", "created_at")
    search_fields = ("id", "payment_id", "refund_id")
    date_hierarchy = "created_at"
    status_badge = status_column()
    actions = [export_csv_action(("id", "code", "status", "amount_minor", "currency", "debit_account_id",
                                  "credit_account_id", "payment_id", "refund_id", "created_at"), filename="transfers")]
