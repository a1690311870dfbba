"""Helpers shared by the simulator tests: a URL conf, a local webhook receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls, so these tests do not depend on the
rest of the project being importable. Everything here is written from PROVIDERS.md, not from the simulator's
own helpers, so that a wrong simulator constant cannot make its own tests pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/feexpay/", include("lipwa.connectors.feexpay.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/feexpay"
API = f"{SIM}/api"
PHONE = "2290197100149"  # Benin MTN (0197, PROVIDERS.md 5.7), a plain success
BEARER = {"HTTP_AUTHORIZATION": "Bearer sim_key"}
REFERENCE = r"FXP-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def push_body(phone: str = PHONE, webhook_url: str = "http://127.0.0.1:9/hooks/feexpay", **overrides) -> dict:
    """PROVIDERS.md 5.2's V2 body, with the simulator's webhook_url (P)."""
    body = {"phoneNumber": phone, "amount": 5000, "shop": "sim_shop", "description": "Commande BZ000005",
            "callback_info": "order-42", "first_name": "Client", "last_name": "Doe", "email": "a@b.co",
            "webhook_url": webhook_url}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def push(client, body, network: str = "mtn", headers: dict | None = None):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"{API}/transactions/public/requesttopay/{network}", data=data,
                       content_type="application/json", **(BEARER if headers is None else headers))


def status(client, reference: str, headers: dict | None = None):
    return client.get(f"{API}/transactions/public/single/status/{reference}",
                      **(BEARER if headers is None else headers))


def signature(body: bytes, secret: str = "sim_secret") -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Receiver(CallbackReceiver):
    """A merchant's callback endpoint on 127.0.0.1 (and its return page for card redirects)."""

    path = "/hooks/feexpay"
    answers_get = True
