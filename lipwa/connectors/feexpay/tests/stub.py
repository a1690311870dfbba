"""A scripted stand-in for FeexPay on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting) is `lipwa.connectors.testing.stub`; this module adds FeexPay's
paths and its catch-all default answers.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from lipwa.connectors.testing import stub as shared
from lipwa.connectors.testing.stub import (
    Received,
    Reply,
    Responder,
    ScriptedStub,
    load_fixture,
    load_fixture_bytes,
)

__all__ = ["FIXTURES", "LINK_PATH", "PENDING_REFERENCE", "PUSH_MTN_PATH", "STATUS_PATH", "FeexpayStub", "Received",
           "Reply", "Responder", "closed_port_url", "fixture", "fixture_bytes"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

# Every FeexPay path is under `/api`, which is part of the base URL (PROVIDERS.md 5.1-5.5).
API = "/api"
PENDING_REFERENCE = "FXP-2b1c7e9a-4d3f-4a8e-9f61-0c5d2e7b8a14"
PUSH_MTN_PATH = "/api/transactions/public/requesttopay/mtn"
STATUS_PATH = f"/api/transactions/public/single/status/{PENDING_REFERENCE}"
LINK_PATH = "/api/feexlink/api-create"


def closed_port_url() -> str:
    """A FeexPay-shaped base URL on which nothing listens, so connecting is refused."""
    return shared.closed_port_url(API)


class FeexpayStub(ScriptedStub):
    """Scripted replies per path; by default any request to pay is PENDING and any status SUCCESSFUL."""

    url_suffix = API
    not_found = Reply(404, {"message": "Not found"})

    def fallback(self, request: Received) -> Reply:
        # One default per kind of path, whatever the network or reference in it.
        if "/requesttopay/" in request.path:
            return Reply(200, fixture("request_to_pay__pending"))
        if "/single/status/" in request.path:
            reference = request.path.rsplit("/", 1)[-1]
            return Reply(200, {**fixture("status__successful"), "reference": reference})
        if request.path == LINK_PATH:
            return Reply(200, fixture("feexlink__created"))
        return self.not_found
