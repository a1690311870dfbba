"""A scripted stand-in for MTN MoMo on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting, routing) is `lipwa.connectors.testing.stub`; this module adds
MTN's routes, its default answers and its token endpoints. Routes are exact paths, or patterns with `*` for
one variable part (a reference, an MSISDN).
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

__all__ = ["ACTIVE", "API_KEY", "API_USER", "API_USER_GET", "COLLECTION_TOKEN", "DISBURSEMENT_TOKEN", "FIXTURES",
           "REFUND", "REFUND_STATUS", "RTP", "RTP_STATUS", "TRANSFER", "TRANSFER_STATUS", "USER_INFO", "MomoStub",
           "Received", "Reply", "Responder", "closed_port_url", "fixture", "fixture_bytes"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

COLLECTION_TOKEN = "/collection/token/"
DISBURSEMENT_TOKEN = "/disbursement/token/"
RTP = "/collection/v1_0/requesttopay"
RTP_STATUS = "/collection/v1_0/requesttopay/*"
TRANSFER = "/disbursement/v1_0/transfer"
TRANSFER_STATUS = "/disbursement/v1_0/transfer/*"
REFUND = "/disbursement/v1_0/refund"
REFUND_STATUS = "/disbursement/v1_0/refund/*"
ACTIVE = "/collection/v1_0/accountholder/msisdn/*/active"
USER_INFO = "/collection/v1_0/accountholder/msisdn/*/basicuserinfo"
API_USER = "/v1_0/apiuser"
API_USER_GET = "/v1_0/apiuser/*"
API_KEY = "/v1_0/apiuser/*/apikey"


class MomoStub(ScriptedStub):
    """Scripted replies per route; by default tokens, 202s, successful statuses and the provisioning answers."""

    empty_body = b""  # MTN's 201s and 202s carry no body at all
    not_found = Reply(404, {"statusCode": 404, "message": "Resource not found"})

    def __init__(self) -> None:
        super().__init__({
            COLLECTION_TOKEN: self._issue_token, DISBURSEMENT_TOKEN: self._issue_token,
            RTP: lambda _: Reply(202), TRANSFER: lambda _: Reply(202), REFUND: lambda _: Reply(202),
            RTP_STATUS: lambda _: Reply(200, fixture("requesttopay_status__successful")),
            TRANSFER_STATUS: lambda _: Reply(200, fixture("transfer_status__successful")),
            REFUND_STATUS: lambda _: Reply(200, fixture("refund_status__successful")),
            ACTIVE: lambda _: Reply(200, fixture("accountholder__active")),
            USER_INFO: lambda _: Reply(200, fixture("basicuserinfo__name")),
            API_USER: lambda _: Reply(201), API_USER_GET: lambda _: Reply(200, fixture("apiuser__info")),
            API_KEY: lambda _: Reply(201, fixture("apikey__created")),
        })
        self.tokens_issued = 0
        self.token_expires_in: object = 3600
        self.token_delay_seconds = 0.0

    def _issue_token(self, _: Received) -> Reply:
        number = self.next_count("tokens_issued")
        return Reply(200, {"access_token": f"stub-token-{number}", "token_type": "access_token",
                           "expires_in": self.token_expires_in}, delay_seconds=self.token_delay_seconds)
