"""Back-office views; secrets are never shown (keys are hashes, credentials stay encrypted and masked)."""

from django.contrib import admin

from lipwa.common.crypto import mask_secret
from lipwa.connectors.registry import connector_class
from lipwa.dashboard.badges import badge_html

from .models import ApiKey, ConnectorAccount, Merchant


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "created_at")
    search_fields = ("id", "name")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "mode", "masked", "name", "state", "created_at", "revoked_at", "last_used_at")
    list_filter = ("mode",)
    search_fields = ("id", "name", "merchant__name")
    readonly_fields = ("id", "merchant", "mode", "masked", "created_at", "last_used_at")
    exclude = ("key_hash", "last4")

    @admin.display(description="state", ordering="revoked_at")
    def state(self, key: ApiKey) -> str:
        return badge_html("revoked" if key.revoked_at else "enabled")

    def has_add_permission(self, request):
        return False  # keys are created with `lipwa keys create`, which shows the plaintext once


@admin.register(ConnectorAccount)
class ConnectorAccountAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "connector", "mode", "name", "state", "created_at")
    list_filter = ("connector", "mode", "is_active")
    search_fields = ("id", "name", "merchant__name")
    readonly_fields = ("id", "merchant", "connector", "mode", "masked_credentials", "created_at", "updated_at")
    exclude = ("credentials_encrypted", "callback_salt")

    @admin.display(description="state", ordering="is_active")
    def state(self, account: ConnectorAccount) -> str:
        return badge_html("enabled" if account.is_active else "disabled")

    def has_add_permission(self, request):
        return False  # accounts are created with `lipwa accounts add`, which validates and encrypts

    @admin.display(description="credentials")
    def masked_credentials(self, account: ConnectorAccount) -> str:
        fields = {f.name: f for f in connector_class(account.connector).credential_fields}
        values = account.get_credentials()
        shown = [f"{name}={mask_secret(value) if fields.get(name) is None or fields[name].secret else value}"
                 for name, value in sorted(values.items())]
        return ", ".join(shown)
