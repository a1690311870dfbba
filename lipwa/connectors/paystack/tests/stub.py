"""A scripted stand-in for Paystack on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting) is `lipwa.connectors.testing.stub`; this module adds Paystack's
paths and the documented success answer of each endpoint.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from lipwa.connectors.testing.stub import (
    Received,
    Reply,
    Responder,
    ScriptedStub,
    closed_port_url,
    load_fixture,
    load_fixture_bytes,
)

__all__ = ["CHARGE_AUTHORIZATION_PATH", "CHARGE_PATH", "FIXTURES", "INITIALIZE_PATH", "REFERENCE", "REFUND_GET_PATH",
           "REFUND_PATH", "SUBMIT_OTP_PATH", "VERIFY_PATH", "PaystackStub", "Received", "Reply", "Responder",
           "closed_port_url", "fixture", "fixture_bytes"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

# The reference the connector derives for attempt `att_01TEST`; the fixtures carry it.
REFERENCE = "lipwa-att-01TEST"
INITIALIZE_PATH = "/transaction/initialize"
VERIFY_PATH = f"/transaction/verify/{REFERENCE}"
CHARGE_PATH = "/charge"
SUBMIT_OTP_PATH = "/charge/submit_otp"
CHARGE_AUTHORIZATION_PATH = "/transaction/charge_authorization"
REFUND_PATH = "/refund"
REFUND_GET_PATH = "/refund/3018284"


class PaystackStub(ScriptedStub):
    """Scripted replies per path; by default the documented success answer of each endpoint."""

    not_found = Reply(404, {"status": False, "message": "Route not found"})

    def __init__(self) -> None:
        super().__init__({
            INITIALIZE_PATH: lambda _: Reply(200, fixture("initialize__created")),
            VERIFY_PATH: lambda _: Reply(200, fixture("verify__success_card")),
            CHARGE_PATH: lambda _: Reply(200, fixture("charge__pay_offline")),
            SUBMIT_OTP_PATH: lambda _: Reply(200, fixture("charge__pay_offline")),
            CHARGE_AUTHORIZATION_PATH: lambda _: Reply(200, fixture("charge_authorization__success")),
            REFUND_PATH: self._refunds,
            REFUND_GET_PATH: lambda _: Reply(200, fixture("refund__processed")),
        })

    @staticmethod
    def _refunds(request: Received) -> Reply:
        if request.method == "GET":
            return Reply(200, fixture("refund_list__one"))
        return Reply(200, fixture("refund__pending"))
