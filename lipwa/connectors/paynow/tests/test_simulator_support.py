"""Helpers shared by the simulator tests: a URL conf, a status-update receiver and request builders.

The URL conf mounts only the simulator, at the same prefix as config.urls. Everything here is written from
PROVIDERS.md §7, not from the simulator's own helpers, so that a wrong simulator constant cannot make its own
tests pass.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode

from django.urls import include, path

from lipwa.connectors.testing.receiver import CallbackReceiver

urlpatterns = [path("simulators/paynow/", include("lipwa.connectors.paynow.simulator.urls"))]
URLCONF = __name__

SIM = "/simulators/paynow"
WEB = f"{SIM}/interface/initiatetransaction"
EXPRESS = f"{SIM}/interface/remotetransaction"
INTEGRATION_ID, KEY, EMAIL = "sim_key", "sim_secret", "merchant@example.com"
FORM = "application/x-www-form-urlencoded"


def paynow_hash(values: list[str], key: str = KEY) -> str:
    return hashlib.sha512(("".join(values) + key.lower()).encode("utf-8")).hexdigest().upper()


def with_hash(pairs: list[tuple[str, str]], key: str = KEY) -> list[tuple[str, str]]:
    return [*pairs, ("hash", paynow_hash([value for _, value in pairs], key))]


def request_pairs(phone: str | None = "0771234567", method: str = "ecocash", result_url: str = "http://127.0.0.1:9/r",
                  **overrides: str | None) -> list[tuple[str, str]]:
    """A valid initiate request in documented order (express when `phone` is given), without its hash."""
    fields: dict[str, str | None] = {"id": INTEGRATION_ID, "reference": "INV-001", "amount": "10.00",
                                     "additionalinfo": "Order 1", "returnurl": "http://127.0.0.1:9/return",
                                     "resulturl": result_url, "authemail": EMAIL}
    if phone is not None:
        fields |= {"phone": phone, "method": method}
    fields["status"] = "Message"
    fields |= overrides
    return [(key, value) for key, value in fields.items() if value is not None]


def post_form(client, url: str, pairs: list[tuple[str, str]], *, sign: bool = True, key: str = KEY):
    body = urlencode(with_hash(pairs, key) if sign else pairs)
    return client.post(url, data=body, content_type=FORM)


def answer(response) -> list[tuple[str, str]]:
    """The answer's pairs, decoded once, in wire order."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FORM)
    return parse_qsl(response.content.decode(), keep_blank_values=True, strict_parsing=True)


def hash_is_right(pairs: list[tuple[str, str]], key: str = KEY) -> bool:
    values = [value for name, value in pairs if name != "hash"]
    return dict(pairs).get("hash") == paynow_hash(values, key)


class Receiver(CallbackReceiver):
    """A merchant's resulturl on 127.0.0.1: records each POST and answers 200 like a merchant would."""

    path = "/hooks/paynow"
    answer = b"OK"

    @property
    def updates(self) -> list[list[tuple[str, str]]]:
        """Status updates are form-encoded, not JSON."""
        with self._arrived:
            return [parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=True) for raw in self.raw]
