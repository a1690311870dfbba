"""Set up a merchant's WhatsApp Flows endpoint: generate (or rotate) its key pair, store the Meta app secret."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import InvalidRequest
from lipwa.merchants.models import Merchant

from .crypto import generate_key_pair
from .models import FlowEndpoint

APP_SECRET_LENGTH_MIN = 16


def endpoint_url(merchant_id: str) -> str:
    return f"{settings.LIPWA_PUBLIC_URL}/flows/whatsapp/{merchant_id}"


def flow_endpoint_get(*, merchant_id: str) -> FlowEndpoint | None:
    return FlowEndpoint.objects.filter(merchant_id=merchant_id).first()


def flow_keys_generate(*, merchant: Merchant, app_secret: str | None = None, actor: str) -> FlowEndpoint:
    """A new RSA key pair (the old one stops working: upload the new public key to Meta). The app secret is
    required the first time and kept on later rotations unless a new one is given."""
    if app_secret is not None and len(app_secret.strip()) < APP_SECRET_LENGTH_MIN:
        raise InvalidRequest(f"the Meta app secret must have at least {APP_SECRET_LENGTH_MIN} characters",
                             param="app_secret")
    private_pem, public_pem = generate_key_pair()
    now = clock.now()
    with transaction.atomic():
        endpoint = FlowEndpoint.objects.select_for_update().filter(merchant=merchant).first()
        if endpoint is None:
            if app_secret is None:
                raise InvalidRequest("the Meta app secret is required the first time (it verifies "
                                     "X-Hub-Signature-256)", param="app_secret", code="app_secret_required")
            endpoint = FlowEndpoint(merchant=merchant, created_at=now)
            secrets = {}
        else:
            secrets = endpoint.get_secrets()
        endpoint.set_secrets({"private_key_pem": private_pem,
                              "app_secret": app_secret.strip() if app_secret is not None else secrets["app_secret"]})
        endpoint.public_key_pem = public_pem
        endpoint.updated_at = now
        endpoint.save()
        audit_record(merchant_id=merchant.id, actor=actor, action="whatsapp_flow.keygen",
                     object_type="whatsapp_flow_endpoint", object_id=merchant.id,
                     details={"app_secret_changed": app_secret is not None})
    return endpoint
