"""Exchange rates (display only), read-only: set with `lipwa rates set` / `lipwa rates import`."""

from django.contrib import admin

from lipwa.dashboard.admin_tools import ReadOnlyAdmin

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ("base", "quote", "rate", "source", "effective_at", "created_at")
    list_filter = ("base", "quote", "source")
