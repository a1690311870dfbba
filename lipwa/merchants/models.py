"""Merchants, their API keys and their connector accounts (gateway credentials, encrypted at rest)."""

from __future__ import annotations

import copy
import functools

from django.conf import settings
from django.db import models

from lipwa.common import crypto
from lipwa.common.ids import new_id

MODES = [("test", "test"), ("live", "live")]


def _merchant_id() -> str:
    return new_id("mer")


def _api_key_id() -> str:
    return new_id("key")


def _account_id() -> str:
    return new_id("ca")


class Merchant(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_merchant_id, editable=False)
    name = models.CharField(max_length=200)
    # Refunds above these amounts (minor units per currency, e.g. {"KES": 500000}) need a second person's
    # approval; an absent currency means no approval is needed.
    refund_approval_thresholds = models.JSONField(default=dict, blank=True)
    # The currency the merchant's bank settles in (ISO 4217); payments in other currencies show what they are
    # worth in it (lipwa.fx), for display only. Blank means no conversion is shown.
    settlement_currency = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class ApiKey(models.Model):
    """A secret key; only its SHA-256 is stored, so it is shown once at creation and never again."""

    id = models.CharField(primary_key=True, max_length=40, default=_api_key_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="api_keys")
    mode = models.CharField(max_length=4, choices=MODES)
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @property
    def masked(self) -> str:
        return f"sk_{self.mode}_••••{self.last4}"

    def __str__(self) -> str:
        return self.masked


class ConnectorAccount(models.Model):
    """One set of gateway credentials of a merchant (e.g. one M-Pesa paybill in test mode)."""

    id = models.CharField(primary_key=True, max_length=40, default=_account_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="connector_accounts")
    connector = models.CharField(max_length=32)
    mode = models.CharField(max_length=4, choices=MODES)
    name = models.CharField(max_length=100, blank=True)
    credentials_encrypted = models.TextField()
    # Rotating the salt changes the secret part of the callback URL without touching credentials.
    callback_salt = models.CharField(max_length=64, default=crypto.random_token)
    timeout_seconds = models.FloatField(default=30.0)
    # Per currency: {"KES": {"min": 100, "max": 25000000}} in minor units; absent means no lipwa-side limit.
    limits = models.JSONField(default=dict, blank=True)
    # Per currency: {"KES": {"fixed": 0, "percent_bps": 150}}; percent in basis points (1.5 % = 150), no floats.
    fees = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "connector", "mode", "is_active"])]

    def set_credentials(self, values: dict[str, str]) -> None:
        self.credentials_encrypted = crypto.encrypt_json(
            values, settings.LIPWA_ENCRYPTION_KEYS, associated_data=self.id.encode()
        )

    def get_credentials(self) -> dict[str, str]:
        # A copy: callers may adjust their credentials without touching what the next caller gets.
        keys = settings.LIPWA_ENCRYPTION_KEYS
        keys = (keys,) if isinstance(keys, str) else tuple(keys)
        return copy.deepcopy(_credentials_decrypted(self.credentials_encrypted, keys, self.id))

    def __repr__(self) -> str:
        return f"<ConnectorAccount {self.id} {self.connector} {self.mode} credentials=<masked>>"

    def __str__(self) -> str:
        return f"{self.connector} {self.mode} ({self.id})"


@functools.lru_cache(maxsize=512)
def _credentials_decrypted(token: str, keys: tuple[str, ...], account_id: str) -> dict[str, str]:
    """Decrypted once per process for each ciphertext and keyring: a payment reads its account's credentials
    several times (routing, expiry, validation, the gateway call). The key is the ciphertext itself, so new
    credentials or a rotated keyring are never answered from an old entry; failures are not cached."""
    return crypto.decrypt_json(token, keys, associated_data=account_id.encode())
