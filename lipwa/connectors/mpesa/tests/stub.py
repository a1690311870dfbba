"""A scripted stand-in for Daraja on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting, routing) is `lipwa.connectors.testing.stub`; this module adds
Daraja's paths, its default answers and its token endpoint.
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

__all__ = ["FIXTURES", "PUSH_PATH", "QUERY_PATH", "TOKEN_PATH", "DarajaStub", "Received", "Reply", "Responder",
           "closed_port_url", "fixture", "fixture_bytes"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

TOKEN_PATH = "/oauth/v1/generate"
PUSH_PATH = "/mpesa/stkpush/v1/processrequest"
QUERY_PATH = "/mpesa/stkpushquery/v1/query"


class DarajaStub(ScriptedStub):
    """Scripted replies per path; by default a token, an accepted push and a succeeded query."""

    not_found = Reply(404, {"requestId": "stub", "errorCode": "404.001.01", "errorMessage": "Resource not found"})

    def __init__(self) -> None:
        super().__init__({
            TOKEN_PATH: self._issue_token,
            PUSH_PATH: lambda _: Reply(200, fixture("stk_push__accepted")),
            QUERY_PATH: lambda _: Reply(200, fixture("stk_query__succeeded")),
        })
        self.tokens_issued = 0
        self.token_expires_in: object = "3599"
        self.token_delay_seconds = 0.0

    def _issue_token(self, _: Received) -> Reply:
        number = self.next_count("tokens_issued")
        return Reply(200, {"access_token": f"stub-token-{number}", "expires_in": self.token_expires_in},
                     delay_seconds=self.token_delay_seconds)
