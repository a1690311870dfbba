"""A merchant's WhatsApp Flows endpoint: its RSA key pair and the Meta app secret, both encrypted at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lipwa.common import crypto
from lipwa.merchants.models import Merchant


class FlowEndpoint(models.Model):
    merchant = models.OneToOneField(Merchant, primary_key=True, on_delete=models.CASCADE,
                                    related_name="whatsapp_flow_endpoint")
    # {"private_key_pem": …, "app_secret": …}, AES-GCM under LIPWA_ENCRYPTION_KEYS, bound to the merchant id.
    secrets_encrypted = models.TextField()
    public_key_pem = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def set_secrets(self, values: dict[str, str]) -> None:
        self.secrets_encrypted = crypto.encrypt_json(values, settings.LIPWA_ENCRYPTION_KEYS,
                                                     associated_data=self._binding())

    def get_secrets(self) -> dict[str, str]:
        return crypto.decrypt_json(self.secrets_encrypted, settings.LIPWA_ENCRYPTION_KEYS,
                                   associated_data=self._binding())

    def _binding(self) -> bytes:
        return b"whatsapp-flow:" + self.merchant_id.encode()

    def __repr__(self) -> str:  # never the secrets
        return f"<FlowEndpoint {self.merchant_id}>"
